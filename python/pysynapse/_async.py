"""``async def`` handlers and async generators: one asyncio event loop in a daemon thread
("pysynapse-asyncio"), started with the first of them.

The lock rule: everything here (the tasks, the async streams and their credit) belongs to the event
loop's thread. The serve loop reaches it only through ``loop.call_soon_threadsafe``, which runs its
requests in order: a call's task exists before a CANCEL or CREDIT for it is looked at. So no lock
guards this state, and a CANCEL, CREDIT or call id the loop does not know is simply ignored.

Each call and each stream is one task; the task's end sends the one final frame for its id (the
RESULT or ERROR of a call, the END or ERROR of a stream), whether it ended by itself or because the
host cancelled it (then ERROR kind "cancelled", unless the handler returned anyway).
"""

import contextvars
import functools

from ._answers import describe, log
from ._host import CURRENT_CALL


class AsyncRunner:
    def __init__(self, answers):
        import asyncio
        import threading

        self._asyncio = asyncio
        self._answers = answers
        self._tasks = {}  # id -> the Task of a call or stream not finished yet
        self._streams = {}  # id -> _AsyncStream of a stream not finished yet
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="pysynapse-asyncio", daemon=True)
        self._thread.start()

    def _run(self):
        self._asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        except BaseException:
            log().exception("the asyncio event loop stopped")

    @property
    def alive(self):
        return self._thread.is_alive()

    @property
    def thread_ident(self):
        return self._thread.ident

    # Requests from the serve loop's thread --------------------------------------------------------

    def start_call(self, call_id, coroutine):
        self._submit(self._begin, call_id, coroutine, None)

    def start_stream(self, call_id, iterator, credit):
        self._submit(self._begin, call_id, iterator, _AsyncStream(call_id, iterator, credit))

    def cancel(self, call_id):
        self._submit(self._cancel, call_id)

    def grant(self, call_id, count):
        self._submit(self._grant, call_id, count)

    def _submit(self, function, *args):
        try:
            self.loop.call_soon_threadsafe(function, *args)
        except RuntimeError:  # the event loop is closed
            pass

    # On the event loop's thread -------------------------------------------------------------------

    def _begin(self, call_id, work, stream):
        # The task runs in a copy of this context that knows its call (for pysynapse.host).
        context = contextvars.copy_context()
        context.run(CURRENT_CALL.set, call_id)
        if stream is None:
            task = context.run(self.loop.create_task, work)
            done = self._call_done
        else:
            self._streams[call_id] = stream
            task = context.run(self.loop.create_task, self._drive(stream))
            done = self._stream_done
        self._tasks[call_id] = task
        task.add_done_callback(functools.partial(done, call_id))

    def _cancel(self, call_id):
        task = self._tasks.get(call_id)
        if task is None:
            return  # answered already
        stream = self._streams.get(call_id)
        if stream is not None:
            stream.closed = True
        task.cancel()

    def _grant(self, call_id, count):
        stream = self._streams.get(call_id)
        if stream is not None:  # credit for a stream that has ended is ignored
            stream.credit += count
            stream.wakeup.set()

    def _call_done(self, call_id, task):
        del self._tasks[call_id]
        answers = self._answers
        try:
            if task.cancelled():
                answers.error(call_id, self._cancelled(f"call {call_id} was cancelled"), now=True)
                return
            exc = task.exception()
            if exc is not None:
                answers.error(call_id, describe(exc, "handler"), now=True)
            else:
                answers.result(call_id, task.result(), now=True)
        except OSError as exc:
            log().debug("could not send the answer to call %d: %s", call_id, exc)

    def _cancelled(self, message):
        return describe(self._asyncio.CancelledError(message), "cancelled", with_traceback=False)

    async def _drive(self, stream):
        """Runs an async stream: wait for credit, await an item, send it; then its final frame."""
        asyncio, answers = self._asyncio, self._answers
        call_id, iterator = stream.call_id, stream.iterator
        stream.wakeup = asyncio.Event()  # made on the loop (Python 3.8 binds it at creation)
        body = error = None
        try:
            try:
                while not stream.closed:
                    if stream.credit <= 0:
                        stream.wakeup.clear()
                        await stream.wakeup.wait()
                        continue
                    item = await iterator.__anext__()
                    if stream.closed:
                        break
                    body, error = answers.item_body(call_id, stream.sent, item)
                    if body is None:
                        break
                    stream.credit -= 1
                    stream.sent += 1
                    if not answers.write(body, call_id):
                        return
                    body = None
                if stream.closed and error is None:
                    error = self._cancelled(f"stream {call_id} was cancelled")
            except StopAsyncIteration:
                body = answers.end_body(call_id)
            except asyncio.CancelledError:
                # From the host's CANCEL, or from the generator.
                error = self._cancelled(f"stream {call_id} was cancelled")
            except BaseException as exc:
                error = describe(exc, "handler")
        finally:
            await _aclose_quietly(iterator, call_id)
        if error is not None:
            body = answers.error_body(call_id, error)
        if body is not None:
            answers.write(body, call_id)

    def _stream_done(self, call_id, task):
        del self._tasks[call_id]
        del self._streams[call_id]
        if task.cancelled():  # before its first step: its generator never started
            error = self._cancelled(f"stream {call_id} was cancelled")
            try:
                self._answers.error(call_id, error, now=True)
            except OSError as exc:
                log().debug("could not send the answer to call %d: %s", call_id, exc)
        elif task.exception() is not None:
            log().error("stream %d failed: %r", call_id, task.exception())


class _AsyncStream:
    """An async stream's state, on the event loop's thread; ``closed`` is set by a CANCEL."""

    __slots__ = ("call_id", "iterator", "credit", "sent", "wakeup", "closed")

    def __init__(self, call_id, iterator, credit):
        self.call_id = call_id
        self.iterator = iterator
        self.credit = credit  # items it may still send
        self.sent = 0
        self.wakeup = None  # an asyncio.Event, set when credit comes
        self.closed = False


async def _aclose_quietly(iterator, call_id):
    aclose = getattr(iterator, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except Exception:
        log().exception("closing the async generator of stream %d failed", call_id)
