"""The serve loop: the envelope protocol of docs/protocol.md on the worker side.

Threads: the thread that calls serve() reads every frame, runs plain handlers one at a time in
arrival order and starts async ones. Coroutines run concurrently on one asyncio event loop in a
daemon thread ("pysynapse-asyncio"), started with the first of them; their answers are encoded and
written from that thread. Frames are written under the FrameWriter's lock, so they never
interleave.

Frames already received are decoded before the next call runs, and the input is polled after a call
that took a while, so that a CANCEL for a call still waiting in line drops it.

Streams (STREAM, CREDIT, ITEM, END) are driven by credit, without a thread per stream::

    main thread:  read frames ─► queued calls ─► streams with credit, a round at a time ─┐
                       ▲                           (next(generator), encode ITEMs,      │
                       └── poll stdin (no wait) ◄── one write per round)  ◄──────────────┘
                  block on stdin only when no call is queued and no stream has credit

    asyncio:      one task per async-generator stream: wait for credit (an asyncio.Event set
                  through call_soon_threadsafe by the main thread's CREDIT), await the next
                  item, write its ITEM frame

A plain generator is advanced on the main thread between frames, so it never waits for credit on
it; one slow next() delays the thread like one slow plain handler. A round ends after a stream's
credit, 64 KiB of frames or a millisecond, so CANCELs and CREDITs are seen soon and streams take
turns. A round's frames are written together when it ends (one system call for many small items);
should a next() block meanwhile, a flusher thread ("pysynapse-flush") writes the frames waiting
after a millisecond, so an item is never held back by a slow one after it.

Answers of plain calls are gathered the same way: when several calls have arrived together (a host
keeping many in flight), their RESULT frames go out with one write once the calls queued have run,
before the loop blocks on its input, or when 64 KiB of frames are waiting; and a handler that
starts while answers are waiting arms the flusher, so a slow call holds none of them back. A single
call's answer is written as soon as it is made, since the loop then has nothing left to do but
read.

Imports are kept off the common path: ``logging`` when there is something to log, ``traceback``
for an error, ``asyncio`` and ``threading`` for the first async handler or stream that needs them.
"""

import _thread
import collections
import functools
import time
import types
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping

from . import _codec, _protocol, _stdio
from ._protocol import CALL, CANCEL, CREDIT, END, ERROR, ITEM, RESULT, STREAM

# After a call that ran at least this long, look for CANCELs sent meanwhile (one poll per slow
# call).
_SLOW_CALL = 0.001
# Internal modules whose frames are left off the front of a handler's traceback.
_OWN_MODULES = ("pysynapse.", "asyncio.", "concurrent.")
# Caps on the error strings, tried in turn when an error frame would exceed the maximum frame size.
_ERROR_TEXT_CAPS = (None, 64 * 1024, 1024, 0)
# A round of stream items ends once it holds this many bytes of frames.
_ROUND_BYTES = 64 * 1024
# Stream frames left waiting this long by a round that runs on (a slow next()) are written by the
# flusher thread.
_FLUSH_DELAY = 0.001
# What a plain call() gets back from a handler that returns one of these: an error.
_GENERATOR_TYPES = (types.GeneratorType, types.AsyncGeneratorType)
# Results of these types are answered without the (slower) check for a coroutine.
_PLAIN_RESULTS = frozenset((type(None), bool, int, float, str, bytes, list, dict, tuple))

_serving = _thread.allocate_lock()


def _log():
    """The "pysynapse" logger; logging is imported on first use (see _logging)."""
    import logging

    return logging.getLogger("pysynapse")


def serve(handler):
    """Serves ``handler`` to the Synapse host until the host closes the worker's stdin.

    ``handler`` is either one callable, called as ``handler(payload)`` for calls without a function
    name, or a mapping from function names to such callables. A callable may be a plain function,
    run on the calling thread one call at a time in arrival order, or an ``async def`` function,
    whose calls run concurrently on an asyncio event loop in a background thread (and can be
    cancelled by the host). The payload is the decoded MessagePack value the host sent; the return
    value is sent back the same way (None, bool, int, float, str, bytes, list/tuple, dict,
    datetime, ExtType).

    A generator function (``def`` with ``yield``) or async generator function (``async def`` with
    ``yield``), or any handler returning an iterator or async iterator, is consumed by the host's
    ``stream()``: each item goes back as it is produced, as fast as the host takes them (the host
    grants credit), and the generator is closed when the host closes the stream early. A plain
    call of a handler that returns a generator fails with a TypeError that says to use stream().

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


def _safe_str(value):
    try:
        return str(value)
    except Exception:
        return f"<{_codec.type_name(type(value))} object; str() failed>"


def _traceback_text(exc):
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__", "").startswith(_OWN_MODULES):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _describe(exc, kind, with_traceback=True):
    """The error map for ``exc``."""
    if with_traceback:
        text = _traceback_text(exc)
    else:
        import traceback

        text = "".join(traceback.format_exception_only(type(exc), exc))
    return {
        "type": _codec.type_name(type(exc)),
        "message": _safe_str(exc),
        "traceback": text,
        "kind": kind,
    }


def _shorten(text, cap):
    if cap is None or len(text) <= cap:
        return text
    return text[:cap] + f"... [{len(text) - cap} characters cut]"


def _preview(value, limit=200):
    try:
        text = repr(value)
    except Exception:
        text = f"<{_codec.type_name(type(value))} object>"
    return _shorten(text, limit)


class _EventLoopThread:
    """An asyncio event loop running forever in a daemon thread."""

    def __init__(self):
        import asyncio
        import threading

        self._asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="pysynapse-asyncio", daemon=True)
        self._thread.start()

    def _run(self):
        self._asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        except BaseException:
            _log().exception("the asyncio event loop stopped")

    @property
    def alive(self):
        return self._thread.is_alive()

    def submit(self, coroutine):
        """Schedules ``coroutine``; returns its concurrent.futures.Future."""
        return self._asyncio.run_coroutine_threadsafe(coroutine, self.loop)


class _Flusher:
    """Writes the frames left waiting in the FrameWriter while the main thread runs user code.

    The serve loop adds its answers and stream items to the writer, which writes them when they
    fill 64 KiB; the loop flushes them before it blocks on its input and after each round of
    streams. Before it calls a handler or a generator's next() with frames waiting, it arms this
    flusher: a thread, started on first use, that writes whatever is still waiting a millisecond
    later. The writer's lock keeps the frames in order whoever writes them.
    """

    def __init__(self, writer):
        self._writer = writer
        self._wake = None
        # Set by arm(), cleared by the thread just before it flushes: frames added before arm()
        # saw it set are written by that flush.
        self.armed = False

    def arm(self):
        if self._wake is None:
            import threading

            self._wake = threading.Event()
            threading.Thread(target=self._run, name="pysynapse-flush", daemon=True).start()
        self.armed = True
        self._wake.set()

    def _run(self):
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(_FLUSH_DELAY)
            self.armed = False
            try:
                self._writer.flush()
            except OSError as exc:
                _log().debug("the flusher could not write: %s", exc)
                return


class _SyncStream:
    """A stream whose items come from a plain iterator, advanced on the main thread."""

    __slots__ = ("call_id", "iterator", "credit", "sent")

    def __init__(self, call_id, iterator, credit):
        self.call_id = call_id
        self.iterator = iterator
        self.credit = credit  # items it may still send
        self.sent = 0


class _AsyncStream:
    """A stream whose items come from an async iterator, driven by one task on the event loop.

    ``credit`` and ``wakeup`` belong to the event loop's thread: the main thread adds credit with
    ``loop.call_soon_threadsafe(stream.grant, n)``. ``closed`` is set by the main thread when the
    host cancels the stream, before the task is cancelled.
    """

    __slots__ = ("call_id", "iterator", "credit", "sent", "wakeup", "closed")

    def __init__(self, call_id, iterator, credit):
        self.call_id = call_id
        self.iterator = iterator
        self.credit = credit
        self.sent = 0
        self.wakeup = None  # an asyncio.Event, made on the loop (Python 3.8 binds it at creation)
        self.closed = False

    def grant(self, count):
        self.credit += count
        if self.wakeup is not None:
            self.wakeup.set()


class _Server:
    def __init__(self, functions, reader, writer):
        self._functions = functions
        self._names = sorted(name for name in functions if name is not None)
        self._reader = reader
        self._writer = writer
        # (id, function, payload, credit) of calls not started yet; credit is None for a CALL and
        # the initial credit for a STREAM.
        self._queue = collections.deque()
        self._running = {}  # id -> Future of an async call or stream the host still waits for
        self._async_streams = {}  # id -> _AsyncStream the host still waits for
        self._running_lock = _thread.allocate_lock()  # guards _running and _async_streams
        self._streams = {}  # id -> _SyncStream the host still waits for (main thread only)
        self._ready = {}  # the _SyncStreams with credit, in turn order (main thread only)
        self._flusher = _Flusher(writer)
        self._async = None

    def run(self):
        self._writer.write(_codec.encode(_protocol.ready_message("pysynapse", self._names)))
        try:
            try:
                self._loop()
            finally:
                self._writer.flush()  # the answers gathered, whatever ends the loop
        except BrokenPipeError:
            _log().debug("the host closed the frame stream; stopping")
        finally:
            self._close_streams()

    def _loop(self):
        reader, queue, ready = self._reader, self._queue, self._ready
        next_frame, on_frame = reader.next_frame, self._on_frame
        while True:
            try:
                body = next_frame(not queue and not ready)
            except _protocol.FrameTooLargeError as exc:
                _log().error("skipped an incoming %s", exc)
                continue
            except EOFError as exc:
                _log().error("%s; stopping", exc)
                return
            if body is not None:
                on_frame(body)
            elif queue:
                self._run_queued()
            elif ready and not reader.eof:
                self._advance_streams()
            elif reader.eof or not reader.fill():
                if reader.buffered:
                    _log().error("the input ended inside a frame (%d bytes)", reader.buffered)
                return

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
            if clock() - started >= _SLOW_CALL and self._reader.input_waiting():
                self._reader.fill()
                return

    def _on_frame(self, body):
        try:
            message = _codec.decode(body)
        except Exception as exc:
            _log().error("ignored a frame of %d bytes that does not decode: %s", len(body), exc)
            return
        if type(message) is list and message:
            kind = message[0]
            if kind == CALL and len(message) == 4 and type(message[1]) is int and message[1] >= 0:
                self._queue.append((message[1], message[2], message[3], None))
                return
            if kind == CANCEL and len(message) == 2 and _valid_id(message[1]):
                self._cancel(message[1])
                return
            if kind == CREDIT or kind == STREAM:
                self._on_stream_message(kind, message)
                return
        _log().error("ignored a message that is not a valid CALL or CANCEL: %s", _preview(message))

    def _on_stream_message(self, kind, message):
        size = len(message)
        if kind == CREDIT:
            if size == 3 and _valid_id(message[1]) and _valid_count(message[2], 1):
                self._credit(message[1], message[2])
            else:
                _log().error("ignored an invalid CREDIT message: %s", _preview(message))
        elif size == 5 and _valid_id(message[1]) and _valid_count(message[4], 0):
            self._queue.append((message[1], message[2], message[3], message[4]))
        else:
            _log().error("ignored an invalid STREAM message: %s", _preview(message))

    def _call(self, call_id, name, payload, credit):
        try:
            function = self._functions[name]
        except (KeyError, TypeError):
            self._send_error(call_id, self._function_error(name))
            return
        if self._writer.waiting and not self._flusher.armed:
            self._flusher.arm()
        try:
            result = function(payload)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._send_error(call_id, _describe(exc, "handler"))
            return
        if credit is not None:
            self._start_stream(call_id, name, result, credit)
        elif type(result) in _PLAIN_RESULTS or not isinstance(result, Coroutine):
            self._send_result(call_id, result, name)
        else:
            self._start_async(call_id, result)

    def _function_error(self, name):
        if None in self._functions:
            message = (
                f"no function named {_preview(name)}: this worker serves a single handler, "
                "called without a function name"
            )
        elif name is None:
            message = "no function name given; this worker serves: " + ", ".join(self._names)
        else:
            names = ", ".join(self._names)
            message = f"no function named {_preview(name)}; this worker serves: {names}"
        return {"type": "LookupError", "message": message, "traceback": "", "kind": "function"}

    def _cancel(self, call_id):
        queue = self._queue
        for index, queued in enumerate(queue):
            if queued[0] == call_id:
                del queue[index]
                return
        stream = self._streams.pop(call_id, None)
        if stream is not None:
            self._ready.pop(call_id, None)
            _close_quietly(stream.iterator, call_id)
            return
        with self._running_lock:
            future = self._running.pop(call_id, None)
            astream = self._async_streams.pop(call_id, None)
        if astream is not None:
            astream.closed = True
        if future is not None:
            future.cancel()

    def _start_async(self, call_id, coroutine):
        future = self._event_loop().submit(coroutine)
        with self._running_lock:
            self._running[call_id] = future
        future.add_done_callback(functools.partial(self._async_done, call_id))

    def _event_loop(self):
        if self._async is None or not self._async.alive:
            self._async = _EventLoopThread()
        return self._async

    def _async_done(self, call_id, future):
        with self._running_lock:
            if self._running.get(call_id) is not future:
                return  # the host cancelled it and no longer waits for an answer
            del self._running[call_id]
        try:
            if future.cancelled():  # by the coroutine itself or another task, not by the host
                import asyncio  # loaded already: it runs this call

                exc = asyncio.CancelledError(f"call {call_id} was cancelled")
                error = _describe(exc, "cancelled", with_traceback=False)
                self._send_error(call_id, error, now=True)
                return
            exc = future.exception()
            if exc is not None:
                self._send_error(call_id, _describe(exc, "handler"), now=True)
            else:
                self._send_result(call_id, future.result(), now=True)
        except OSError as exc:
            _log().debug("could not send the answer to call %d: %s", call_id, exc)

    def _refuse_generator(self, call_id, name, generator):
        if isinstance(generator, types.GeneratorType):
            _close_quietly(generator, call_id)
        # An async generator that never started needs no closing (and no event loop).
        problem = TypeError(
            f"{_handler_name(name)} returned {_codec.type_name(type(generator))!r}: "
            "consume it with stream() on the host; call() and invoke() take a single answer"
        )
        self._send_error(call_id, _describe(problem, "handler", with_traceback=False))

    # Streams ------------------------------------------------------------------------------------

    def _start_stream(self, call_id, name, result, credit):
        if isinstance(result, AsyncIterator):
            self._start_async_stream(call_id, result, credit)
        elif isinstance(result, Iterator):
            stream = _SyncStream(call_id, result, credit)
            self._streams[call_id] = stream
            if credit > 0:
                self._ready[call_id] = stream
        else:
            if isinstance(result, Coroutine):
                result.close()  # no "never awaited" warning
            problem = TypeError(
                f"{_handler_name(name)} returned {_codec.type_name(type(result))!r}, not a "
                "generator: stream() needs a generator function (def or async def with yield) or "
                "a handler that returns an iterator; use call() or invoke() for a single answer"
            )
            self._send_error(call_id, _describe(problem, "handler", with_traceback=False))

    def _credit(self, call_id, count):
        stream = self._streams.get(call_id)
        if stream is not None:
            stream.credit += count
            if call_id not in self._ready:
                self._ready[call_id] = stream
            return
        with self._running_lock:
            astream = self._async_streams.get(call_id)
        if astream is not None:
            try:
                self._async.loop.call_soon_threadsafe(astream.grant, count)
            except RuntimeError:  # the event loop is closed
                pass
        # Credit for a stream that has ended, or that the host cancelled, is ignored.

    def _advance_streams(self):
        """One round: each stream with credit sends items in turn until the round is full.

        Ends after a millisecond or _ROUND_BYTES of frames, writes the round's frames and takes any
        input that is waiting, so that CANCELs and CREDITs are seen between rounds.
        """
        ready, add = self._ready, self._writer.add
        step, clock = self._stream_step, time.perf_counter
        size, started, full = 0, clock(), False
        try:
            while ready and not full:
                call_id = next(iter(ready))
                stream = ready.pop(call_id)
                finished = False
                while stream.credit > 0:
                    body, finished = step(stream)
                    if body is not None:
                        add(body)
                        size += len(body)
                    if finished:
                        break
                    if size >= _ROUND_BYTES or clock() - started >= _SLOW_CALL:
                        full = True
                        break
                if not finished and stream.credit > 0:
                    ready[call_id] = stream  # its turn comes again after the others'
        finally:
            self._writer.flush()
        if self._reader.input_waiting():
            self._reader.fill()

    def _stream_step(self, stream):
        """Takes the next item of ``stream``: the body to send, and whether the stream ended."""
        call_id = stream.call_id
        if self._writer.waiting and not self._flusher.armed:
            self._flusher.arm()
        try:
            item = next(stream.iterator)
        except StopIteration:
            del self._streams[call_id]
            return _codec.encode([END, call_id]), True
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            del self._streams[call_id]
            return self._error_body(call_id, _describe(exc, "handler")), True
        body, error = self._item_body(call_id, stream.sent, item)
        if body is None:
            del self._streams[call_id]
            _close_quietly(stream.iterator, call_id)
            return self._error_body(call_id, error), True
        stream.credit -= 1
        stream.sent += 1
        return body, False

    def _item_body(self, call_id, index, item):
        """The ITEM frame body for the item at ``index``, or None and the error that replaces it."""
        try:
            body = _codec.encode_body([ITEM, call_id, item])
        except Exception as exc:
            error = _describe(exc, "encode", with_traceback=False)
        else:
            if len(body) <= self._writer.max_frame:
                return body, None
            problem = ValueError(
                f"the item is {len(body)} bytes encoded, "
                f"more than the maximum frame size of {self._writer.max_frame} bytes"
            )
            error = _describe(problem, "encode", with_traceback=False)
        error["message"] = f"stream item {index}: {error['message']}"
        return None, error

    def _start_async_stream(self, call_id, iterator, credit):
        loop = self._event_loop()
        stream = _AsyncStream(call_id, iterator, credit)
        with self._running_lock:
            self._async_streams[call_id] = stream
        future = loop.submit(self._drive(stream))
        with self._running_lock:
            self._running[call_id] = future
        future.add_done_callback(functools.partial(self._async_stream_done, call_id))

    async def _drive(self, stream):
        """Runs an async stream on the event loop: wait for credit, await an item, send it."""
        import asyncio  # loaded already: it runs this coroutine

        call_id, iterator = stream.call_id, stream.iterator
        stream.wakeup = asyncio.Event()
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
                    body, error = self._item_body(call_id, stream.sent, item)
                    if body is None:
                        break
                    stream.credit -= 1
                    stream.sent += 1
                    if not self._write_item(call_id, body):
                        return
                    body = None
            except StopAsyncIteration:
                body = _codec.encode([END, call_id])
            except asyncio.CancelledError:
                # From the host's CANCEL (then nobody waits for an answer), or from the generator.
                exc = asyncio.CancelledError(f"stream {call_id} was cancelled")
                error = _describe(exc, "cancelled", with_traceback=False)
            except BaseException as exc:
                error = _describe(exc, "handler")
        finally:
            await _aclose_quietly(iterator, call_id)
        with self._running_lock:
            if self._async_streams.get(call_id) is not stream:
                return  # cancelled by the host
            del self._async_streams[call_id]
        if error is not None:
            body = self._error_body(call_id, error)
        if body is not None:
            self._write_item(call_id, body)

    def _write_item(self, call_id, body):
        try:
            self._writer.write(body)
            return True
        except OSError as exc:
            _log().debug("could not write to the host for stream %d: %s", call_id, exc)
            return False

    def _async_stream_done(self, call_id, future):
        with self._running_lock:
            if self._running.get(call_id) is future:
                del self._running[call_id]
            self._async_streams.pop(call_id, None)  # only left there if the driver failed
        if not future.cancelled() and future.exception() is not None:
            _log().error("stream %d failed: %r", call_id, future.exception())

    def _close_streams(self):
        streams = list(self._streams.values())
        self._streams.clear()
        self._ready.clear()
        for stream in streams:
            _close_quietly(stream.iterator, stream.call_id)

    # Answers ------------------------------------------------------------------------------------

    def _send_result(self, call_id, value, name=None, now=False):
        """Sends the RESULT frame; ``now`` writes it at once, else it waits for the loop's flush."""
        try:
            body = _codec.encode_body([RESULT, call_id, value])
        except Exception as exc:
            if type(value) in _GENERATOR_TYPES:  # checked here, off the path of every answer
                self._refuse_generator(call_id, name, value)
            else:
                self._send_error(call_id, _describe(exc, "encode", with_traceback=False), now)
            return
        try:
            self._writer.add(body, now)
        except _protocol.FrameTooLargeError as exc:
            problem = ValueError(
                f"the result is {exc.size} bytes encoded, "
                f"more than the maximum frame size of {exc.limit} bytes"
            )
            self._send_error(call_id, _describe(problem, "encode", with_traceback=False), now)

    def _send_error(self, call_id, error, now=False):
        body = self._error_body(call_id, error)
        if body is not None:
            self._writer.add(body, now)

    def _error_body(self, call_id, error):
        """The ERROR frame body for ``error``, its texts cut until it fits; None if nothing fits."""
        for cap in _ERROR_TEXT_CAPS:
            fields = dict(error)
            fields["message"] = _shorten(fields["message"], cap)
            fields["traceback"] = _shorten(fields["traceback"], cap)
            try:
                body = _codec.encode([ERROR, call_id, fields])
            except UnicodeEncodeError:  # lone surrogates in a message
                for key, text in fields.items():
                    fields[key] = text.encode("utf-8", "backslashreplace").decode("utf-8")
                body = _codec.encode([ERROR, call_id, fields])
            if len(body) <= self._writer.max_frame:
                return body
        _log().error("the error for call %d does not fit in a frame: %s", call_id, error["message"])
        return None


def _handler_name(name):
    return "the handler" if name is None else f"function {_preview(name)}"


def _close_quietly(iterator, call_id):
    """Closes a stream's generator (its ``finally`` blocks run); logs what that raises."""
    close = getattr(iterator, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:
        _log().exception("closing the generator of stream %d failed", call_id)


async def _aclose_quietly(iterator, call_id):
    aclose = getattr(iterator, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except Exception:
        _log().exception("closing the async generator of stream %d failed", call_id)


def _valid_count(value, least):
    return type(value) is int and value >= least


def _valid_id(value):
    return type(value) is int and value >= 0
