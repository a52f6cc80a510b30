"""The serve loop: the envelope protocol of docs/protocol.md on the worker side.

Threads, and what each owns::

    serve loop (the thread that called serve(), the main thread)
        reads and decodes every frame, runs plain handlers one at a time in arrival order,
        advances plain generators (_streams), hands async work to the event loop
    the cancel watcher (_interrupt) takes the input over while a plain handler runs; a CANCEL of
                                    that call interrupts it with CallCancelled
    pysynapse-asyncio (_async)      async handlers and async generators, one task each
    pysynapse-flush (_answers)      writes answers left waiting while user code runs
    any thread calling the host     (_host) waits for its answer; on the serve loop's thread the
                                    waiting handler serves the loop itself meanwhile

A plain handler whose input is a stream (_inputs) and that waits for its next item has the serve
loop's thread read the input for it: the thread takes ``input_lock`` back and handles the frames
that arrive as the loop would (queueing calls; CANCEL, CREDIT and input frames act at once) until
the item, the end of the input or a CANCEL of that call comes.

The one lock rule of the loop's own state (the FrameReader, the queue of calls, the plain
streams): whoever touches it holds ``input_lock``; the serve loop holds it except while a plain
handler runs, and the watcher takes it only then (_interrupt). Async state belongs to the event
loop's thread and is reached only through call_soon_threadsafe (_async). Frames are written under
the FrameWriter's lock, so they never interleave.

The loop is a list of steps, taken in this order of preference::

    0. answer the PINGs that have come (the watcher only notes those it reads during a call)
    1. handle a frame that has arrived (CALL and STREAM are queued; CANCEL and CREDIT act at once)
    2. run the queued calls, until one that took a while finds input waiting
    3. give the streams with credit a round
    4. write the answers gathered, then block on the input; at its end, stop

Imports are kept off the common path: ``logging`` when there is something to log, ``traceback``
for an error, ``asyncio`` and ``threading`` for the first async handler, stream or slow call that
needs them, _host for the first call to the host and _inputs for the first input stream.
"""

import _thread
import collections
import time
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping

from . import _codec, _protocol, _shm, _stdio
from ._answers import Answers, describe, log, preview
from ._interrupt import CallCancelled, CancelWatcher
from ._protocol import (
    CALL,
    CANCEL,
    CREDIT,
    HOST_ERROR,
    HOST_RESULT,
    INPUT,
    INPUT_END,
    INPUT_ERROR,
    PING,
    PONG,
    STREAM,
)
from ._streams import SyncStreams, close_quietly

# After a call that ran at least this long, look for CANCELs sent meanwhile (one poll per slow
# call).
_SLOW_CALL = 0.001
# Results of these types are answered without the (slower) check for a coroutine.
_PLAIN_RESULTS = frozenset((type(None), bool, int, float, str, bytes, list, dict, tuple))

_INPUT_MESSAGES = frozenset((INPUT, INPUT_END, INPUT_ERROR))

_serving = _thread.allocate_lock()
_running = None  # the _Server of the serve() running, for pysynapse.host

# The payload of a queued call whose input is a stream (its options said {"input": "stream"}).
STREAM_INPUT = object()


def host_calls():
    """The calls to the host of the serve() running (_host.HostCalls), or None outside serve()."""
    server = _running
    return None if server is None else server.host_calls()


def serve(handler):
    """Serves ``handler`` to the Synapse host until the host closes the worker's stdin.

    ``handler`` is either one callable, called as ``handler(payload)`` for calls without a function
    name, or a mapping from function names to such callables. A callable may be a plain function,
    run on the calling thread one call at a time in arrival order, or an ``async def`` function,
    whose calls run concurrently on an asyncio event loop in a background thread. The payload is
    the decoded MessagePack value the host sent; the return value is sent back the same way (None,
    bool, int, float, str, bytes, list/tuple, dict, datetime, ExtType).

    A generator function (``def`` with ``yield``) or async generator function (``async def`` with
    ``yield``), or any handler returning an iterator or async iterator, is consumed by the host's
    ``stream()``: each item goes back as it is produced, as fast as the host takes them (the host
    grants credit), and the generator is closed when the host closes the stream early. A plain
    call of a handler that returns a generator fails with a TypeError that says to use stream().

    A call whose input is a stream (the host's ``Request.streamInput``) calls its handler with one
    positional argument instead of the payload: an iterator over the items (a plain function) or an
    async iterator (an ``async def``); the handler may itself be a generator. The host sends the
    items as the handler takes them; an exception of the host's iterator is raised in the handler
    as ``InputStreamError``.

    When the host cancels a call (its timeout, or cancel()), a plain handler that is running gets
    ``CallCancelled`` raised in it (a BaseException: ``finally`` blocks run), interrupting
    time.sleep, lock waits and Python loops; an async one has its task cancelled. This needs
    serve() on the main thread; it uses the signal SIGUSR2.

    An exception raised by a handler goes back to the host with its type, message and traceback, and
    so does a return value that cannot be encoded or is too large for a frame; the worker keeps
    serving. SystemExit and KeyboardInterrupt raised by a plain handler are not caught.

    Sends the READY frame first, then answers calls; returns when the host closes stdin. Works
    under the pysynapse bootstrap and in a script started directly; then it moves the frame streams
    off fds 0 and 1 itself, so that print() cannot corrupt them from that moment on. Raises
    TypeError or ValueError for a bad ``handler`` and RuntimeError if serve() is already running or
    the module has read ``sys.stdin`` itself.
    """
    functions = _function_table(handler)
    max_frame = _protocol.max_frame_size()
    if not _serving.acquire(blocking=False):
        raise RuntimeError("serve() is already running")
    try:
        frames_in, frames_out = _stdio.install()
        _stdio.claim_stdin()
        _stdio.frame_stream().flush()
        writer = _protocol.FrameWriter(frames_out, max_frame)
        reader = _protocol.FrameReader(frames_in, max_frame, before_wait=writer.flush)
        _Server(functions, reader, writer).run()
    finally:
        _serving.release()


def _function_table(handler):
    if isinstance(handler, Mapping):
        if not handler:
            raise ValueError("serve() needs at least one function, got an empty mapping")
        table = {}
        for name, function in handler.items():
            if not isinstance(name, str):
                raise TypeError(f"function names must be str, got {name!r}")
            if not callable(function):
                raise TypeError(f"function {name!r} is not callable: {function!r}")
            table[name] = function
        return table
    if callable(handler):
        return {None: handler}
    raise TypeError(f"serve() takes a callable or a mapping of names to callables, got {handler!r}")


class _Server:
    def __init__(self, functions, reader, writer):
        self._functions = functions
        self._names = sorted(name for name in functions if name is not None)
        self._reader = reader
        self._writer = writer
        self._answers = Answers(writer)
        # (id, function, payload, credit) of calls not started yet; credit is None for a CALL and
        # the initial credit for a STREAM.
        self._queue = collections.deque()
        self._streams = SyncStreams(self._answers)
        self._watcher = CancelWatcher(reader, writer, self._on_frame)
        self._input_lock = self._watcher.input_lock
        # User code of a plain call: ``run_user(call_id, function, argument)``.
        self._run_user = self._watcher.run
        self._async = None
        # Made when first needed, as are the modules behind them (start-up time): the feeds of
        # input streams (_inputs) and the calls to the host (_host, made under _host_lock; the
        # loop reads the attribute without it: a HostCalls made meanwhile has no call waiting).
        self._inputs = None
        self._host = None
        self._host_lock = _thread.allocate_lock()
        self._host_closed = False
        self._main = _thread.get_ident()
        # Ids of PINGs not answered yet: only this loop answers them, so that a worker whose main
        # thread is stuck in a handler does not look healthy.
        self._pings = []

    def run(self):
        global _running
        _shm.attach(self._writer.write)
        self._writer.write(_codec.encode(_protocol.ready_message("pysynapse", self._names)))
        watcher = self._watcher
        watcher.install()
        watcher.input_lock.acquire()
        _running = self
        try:
            try:
                self._loop()
            finally:
                self._writer.flush()  # the answers gathered, whatever ends the loop
        except BrokenPipeError:
            log().debug("the host closed the frame stream; stopping")
        finally:
            _running = None
            self._close_host_calls()
            watcher.uninstall()
            self._streams.close_all()
            _shm.detach()

    def _loop(self, waiter=None):
        """Serves until the input ends, or until ``waiter`` (a call to the host) is done."""
        reader, queue, ready_streams = self._reader, self._queue, self._streams.ready
        next_frame = reader.next_frame
        while waiter is None or not waiter.done:
            if self._pings and not queue:  # a call queued before the PING runs first
                self._answer_pings()
            try:  # _take_frame, inline: this runs three times a call
                body = next_frame(not queue and not ready_streams)
            except (_protocol.FrameTooLargeError, EOFError) as exc:
                if _skipped(exc):
                    continue
                body = None
            if body is not None:
                self._on_frame(body)
            elif queue:
                self._run_queued()
            elif ready_streams and not reader.eof:
                self._stream_round()
            elif not self._wait_for_input():
                return

    # Calls to the host (_host) ------------------------------------------------------------------

    def host_calls(self):
        with self._host_lock:
            if self._host is None:
                from ._host import HostCalls

                self._host = HostCalls(self, self._writer)
                if self._host_closed:
                    self._host.close()
            return self._host

    def _close_host_calls(self):
        """Every call to the host still waiting gets ConnectionError, and so does any made later."""
        with self._host_lock:
            self._host_closed = True
            calls = self._host
        if calls is not None:
            calls.close()

    def serve_while_waiting(self, waiter):
        """Serves on the serve loop's thread while user code there waits for the host's answer
        ``waiter``: calls that arrive meanwhile (the host function may call this worker again)
        run nested, so a single thread cannot deadlock. A plain handler released input_lock for
        its run; it takes it back meanwhile (CancelWatcher.pause: a CANCEL of the waiting call
        ends the wait through _host)."""
        watcher = self._watcher
        waiting, lost = watcher.pause()
        try:
            if lost:  # its CANCEL came before the lock
                self._host.cancel_under(waiting)
            self._serve_until(waiter)
        finally:
            watcher.resume(waiting)

    def _serve_until(self, waiter):
        self._loop(waiter)
        if not waiter.done:  # the input ended
            self._close_host_calls()

    def watch_input(self):
        """A thread other than the serve loop's waits for the host: if a plain handler runs, the
        cancel watcher reads its answer, and starts to watch at once."""
        self._watcher.nudge()

    def plain_call_running(self):
        """The id of the plain call running on the serve loop's thread (the innermost), or None."""
        return self._watcher.running

    def on_main(self, ident):
        return ident == self._main

    def on_event_loop(self, ident):
        runner = self._async
        return runner is not None and runner.thread_ident == ident

    # The steps ------------------------------------------------------------------------------------

    def _take_frame(self, wait):
        """The next frame body that has arrived, or None; ``wait`` completes a large body."""
        while True:
            try:
                return self._reader.next_frame(wait)
            except (_protocol.FrameTooLargeError, EOFError) as exc:
                if not _skipped(exc):
                    return None

    def _answer_pings(self):
        pings, self._pings = self._pings, []
        for ping_id in pings:
            self._answers.writer.add(_codec.encode([PONG, ping_id]))

    def _run_queued(self):
        """Runs the queued calls in turn, until one that took a while finds input waiting (the
        loop decodes it before the next call) or none is left."""
        queue, call, clock = self._queue, self._call, time.perf_counter
        while queue:
            call_id, name, payload, credit = queue.popleft()
            if not queue:  # the loop reads its input next anyway
                call(call_id, name, payload, credit)
                return
            started = clock()
            call(call_id, name, payload, credit)
            payload = None  # the host blocks that its arrays viewed can go now
            if clock() - started >= _SLOW_CALL and self._reader.input_waiting():
                self._reader.fill()
                return

    def _stream_round(self):
        self._streams.advance()
        if self._reader.input_waiting():
            self._reader.fill()

    def _wait_for_input(self):
        """Blocks for input (writing the answers gathered first); False at its end."""
        reader = self._reader
        if not reader.eof and reader.fill():
            return True
        if reader.buffered:
            log().error("the input ended inside a frame (%d bytes)", reader.buffered)
        return False

    # Frames ---------------------------------------------------------------------------------------

    def _on_frame(self, body):
        """Handles one frame (the serve loop, or the watcher while a plain handler runs)."""
        assert self._input_lock.locked(), "the loop's state needs input_lock"
        try:
            message = _codec.decode(body)
        except Exception as exc:
            self._undecodable(body, exc)
            return
        if type(message) is list and message:
            kind = message[0]
            if kind == CALL and len(message) == 4 and _valid_id(message[1]):
                self._queue.append((message[1], message[2], message[3], None))
                return
            if kind == CALL and len(message) == 5 and _valid_id(message[1]):
                payload = STREAM_INPUT if _is_stream_input(message[4]) else message[3]
                self._queue.append((message[1], message[2], payload, None))
                return
            if kind == CANCEL and len(message) == 2 and _valid_id(message[1]):
                self._cancel(message[1])
                return
            if kind == CREDIT or kind == STREAM:
                self._on_stream_message(kind, message)
                return
            if kind in _INPUT_MESSAGES and len(message) >= 2 and _valid_id(message[1]):
                self._feeds().on_message(message, len(body))
                return
            if (kind == HOST_RESULT or kind == HOST_ERROR) and len(message) == 3:
                if _valid_id(message[1]):
                    host = self._host
                    if host is not None:  # else no call to the host was made: nothing waits
                        host.answered(kind == HOST_RESULT, message[1], message[2])
                    return
            if kind == PING and len(message) == 2 and _valid_id(message[1]):
                self._pings.append(message[1])
                return
            if kind == _shm.MAP or kind == _shm.RELEASE:
                (_shm.on_map if kind == _shm.MAP else _shm.on_release)(message)
                return
        log().error("ignored a message that is not a valid CALL or CANCEL: %s", preview(message))

    def _undecodable(self, body, exc):
        """A frame that does not decode: a CALL or STREAM whose id can be read is answered with
        ERROR kind "decode"; anything else is logged and dropped."""
        call_id = _protocol.call_id_of(body)
        if call_id is None:
            log().error("ignored a frame of %d bytes that does not decode: %s", len(body), exc)
            return
        error = describe(exc, "decode", with_traceback=False)
        error["message"] = f"the worker could not decode the input of call {call_id}: {exc}"
        self._answers.error(call_id, error)

    def _on_stream_message(self, kind, message):
        size = len(message)
        if kind == CREDIT:
            if size == 3 and _valid_id(message[1]) and _valid_count(message[2], 1):
                self._credit(message[1], message[2])
            else:
                log().error("ignored an invalid CREDIT message: %s", preview(message))
        elif size == 5 and _valid_id(message[1]) and _valid_count(message[4], 0):
            self._queue.append((message[1], message[2], message[3], message[4]))
        elif size == 6 and _valid_id(message[1]) and _valid_count(message[4], 0):
            payload = STREAM_INPUT if _is_stream_input(message[5]) else message[3]
            self._queue.append((message[1], message[2], payload, message[4]))
        else:
            log().error("ignored an invalid STREAM message: %s", preview(message))

    def _cancel(self, call_id):
        """Every id known gets one final frame; an unknown one (answered already) nothing."""
        host, inputs = self._host, self._inputs
        if host is not None:
            host.cancel_under(call_id)
        if self._drop_queued(call_id) or (inputs is not None and inputs.cancel(call_id)):
            return
        if call_id == self._watcher.running:
            self._watcher.interrupt(call_id)  # the call answers when it ends
        elif not self._streams.cancel(call_id) and self._async is not None:
            self._async.cancel(call_id)

    def _drop_queued(self, call_id):
        queue = self._queue
        for index, queued in enumerate(queue):
            if queued[0] == call_id:
                del queue[index]
                problem = CallCancelled(f"call {call_id} was cancelled before it started")
                self._answers.error(call_id, describe(problem, "cancelled", with_traceback=False))
                return True
        return False

    def _credit(self, call_id, count):
        # Credit for a stream that has ended, or that the host cancelled, is ignored.
        if not self._streams.grant(call_id, count) and self._async is not None:
            self._async.grant(call_id, count)

    # Calls ----------------------------------------------------------------------------------------

    def _call(self, call_id, name, payload, credit):
        try:
            function = self._functions[name]
        except (KeyError, TypeError):
            self._answers.error(call_id, self._function_error(name))
            return
        feed = None
        if payload is STREAM_INPUT:
            payload = feed = self._open_feed(call_id, function)
        self._answers.before_user_code()
        try:
            result = self._run_user(call_id, function, payload)
        except (SystemExit, KeyboardInterrupt):
            raise
        except CallCancelled as exc:
            self._answers.error(call_id, describe(exc, "cancelled"))
            return
        except BaseException as exc:
            if feed is not None:
                from ._inputs import tag

                tag(exc, feed)
            self._answers.error(call_id, describe(exc, "handler"))
            return
        self._dispatch(call_id, name, result, credit, feed)

    def _dispatch(self, call_id, name, result, credit, feed):
        """Answers a handler's return value, or starts what it returned (a stream, a coroutine)."""
        if feed is not None:
            result = self._fed(result, feed, credit is not None)
        if credit is not None:
            self._start_stream(call_id, name, result, credit)
        elif type(result) in _PLAIN_RESULTS or not isinstance(result, Coroutine):
            if not self._answers.result(call_id, result):
                self._refuse_generator(call_id, name, result)
        else:
            self._event_loop().start_call(call_id, result)

    # Input streams (_inputs) ----------------------------------------------------------------------

    def _feeds(self):
        assert self._input_lock.locked(), "the feeds belong to the holder of input_lock"
        if self._inputs is None:
            from ._inputs import InputFeeds

            self._inputs = InputFeeds(self._writer, self._wait_for_feed)
        return self._inputs

    def _open_feed(self, call_id, function):
        import inspect

        if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
            return self._feeds().open(call_id, function, self._event_loop().loop)
        return self._feeds().open(call_id, function)

    def _fed(self, result, feed, streaming):
        """What a handler with a stream input returned, made to keep its feed alive and to tag
        its errors with their place in the input; a stream's steps run as user code."""
        if type(result) in _PLAIN_RESULTS:
            return result
        from ._inputs import FedAsyncIterator, FedIterator, fed_coroutine

        if streaming and isinstance(result, Iterator):
            return FedIterator(result, feed, self._run_user)
        if streaming and isinstance(result, AsyncIterator):
            return FedAsyncIterator(result, feed)
        if isinstance(result, Coroutine):
            return fed_coroutine(result, feed)
        return result

    def _start_async_queued(self):
        """Starts the queued calls and streams of ``async def`` handlers (calling one runs none of
        its code), while a plain handler waits for input; True if it started any. The plain ones
        stay queued: plain handlers run one at a time."""
        import inspect

        queue, started = self._queue, False
        for entry in list(queue):
            function = self._functions.get(entry[1]) if _valid_name(entry[1]) else None
            if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
                queue.remove(entry)
                self._start_async(entry, function)
                started = True
        return started

    def _start_async(self, entry, function):
        call_id, name, payload, credit = entry
        feed = None
        if payload is STREAM_INPUT:
            payload = feed = self._open_feed(call_id, function)
        try:
            result = function(payload)
        except Exception as exc:  # a wrong signature: no code of the handler ran
            self._answers.error(call_id, describe(exc, "handler"))
            return
        self._dispatch(call_id, name, result, credit, feed)

    def _wait_for_feed(self, feed):
        """A plain handler waits for the next item of its input (the main thread, input_lock
        released): this thread takes input_lock back (CancelWatcher.pause) and reads the input
        itself until an item, the end of the input or a CANCEL of the call comes. The frames read
        meanwhile are handled as the serve loop handles them; a CANCEL of this call marks the feed,
        whose next() then raises CallCancelled."""
        watcher = self._watcher
        waiting, _ = watcher.pause()  # a lost interruption's CANCEL has marked the feed already
        feed.waiting = True
        try:
            while not feed.ready:
                body = self._take_frame(wait=True)
                if body is not None:
                    self._on_frame(body)
                elif self._queue and self._start_async_queued():
                    continue
                elif not self._wait_for_input():
                    feed.lost()
        finally:
            feed.waiting = False
            watcher.resume(waiting)

    def _function_error(self, name):
        if None in self._functions:
            message = (
                f"no function named {preview(name)}: this worker serves a single handler, "
                "called without a function name"
            )
        elif name is None:
            message = "no function name given; this worker serves: " + ", ".join(self._names)
        else:
            names = ", ".join(self._names)
            message = f"no function named {preview(name)}; this worker serves: {names}"
        return {"type": "LookupError", "message": message, "traceback": "", "kind": "function"}

    def _event_loop(self):
        if self._async is None or not self._async.alive:
            from ._async import AsyncRunner

            self._async = AsyncRunner(self._answers)
        return self._async

    def _refuse_generator(self, call_id, name, generator):
        if type(generator).__name__ == "generator":
            close_quietly(generator, call_id)
        # An async generator that never started needs no closing (and no event loop).
        problem = TypeError(
            f"{_handler_name(name)} returned {_codec.type_name(type(generator))!r}: "
            "consume it with stream() on the host; call() and invoke() take a single answer"
        )
        self._answers.error(call_id, describe(problem, "handler", with_traceback=False))

    def _start_stream(self, call_id, name, result, credit):
        if self._watcher.cancelled == call_id:  # the CANCEL came as the handler returned
            close_quietly(result, call_id)
            problem = CallCancelled(f"stream {call_id} was cancelled by the host")
            self._answers.error(call_id, describe(problem, "cancelled", with_traceback=False))
        elif isinstance(result, AsyncIterator):
            self._event_loop().start_stream(call_id, result, credit)
        elif isinstance(result, Iterator):
            self._streams.start(call_id, result, credit)
        else:
            if isinstance(result, Coroutine):
                result.close()  # no "never awaited" warning
            problem = TypeError(
                f"{_handler_name(name)} returned {_codec.type_name(type(result))!r}, not a "
                "generator: stream() needs a generator function (def or async def with yield) or "
                "a handler that returns an iterator; use call() or invoke() for a single answer"
            )
            self._answers.error(call_id, describe(problem, "handler", with_traceback=False))


def _skipped(exc):
    """Logs a frame the reader could not take: True if it skipped one too large (the frames after
    it can be read), False if the input ended inside it."""
    if isinstance(exc, _protocol.FrameTooLargeError):
        log().error("skipped an incoming %s", exc)
        return True
    log().error("%s; stopping", exc)
    return False


def _handler_name(name):
    return "the handler" if name is None else f"function {preview(name)}"


def _valid_count(value, least):
    return type(value) is int and value >= least


def _valid_name(value):
    return value is None or type(value) is str


def _is_stream_input(options):
    """Whether the options map of a CALL or STREAM says that its input is a stream."""
    return type(options) is dict and options.get("input") == "stream"


def _valid_id(value):
    return type(value) is int and value >= 0
