"""The serve loop: the envelope protocol of docs/protocol.md on the worker side.

Threads: the thread that calls serve() reads every frame, runs plain handlers one at a time in
arrival order and starts async ones. Coroutines run concurrently on one asyncio event loop in a
daemon thread ("pysynapse-asyncio"), started with the first of them; their answers are encoded and
written from that thread. Frames are written under the FrameWriter's lock, so they never
interleave.

Frames already received are decoded before the next call runs, and the input is polled after a call
that took a while, so that a CANCEL for a call still waiting in line drops it.
"""

import collections
import functools
import logging
import threading
import time
import traceback
from collections.abc import Coroutine, Mapping

from . import _codec, _protocol, _stdio
from ._protocol import CALL, CANCEL, ERROR, RESULT

_log = logging.getLogger("pysynapse")

# After a call that ran at least this long, look for CANCELs sent meanwhile (one poll per slow
# call).
_SLOW_CALL = 0.001
# Internal modules whose frames are left off the front of a handler's traceback.
_OWN_MODULES = ("pysynapse.", "asyncio.", "concurrent.")
# Caps on the error strings, tried in turn when an error frame would exceed the maximum frame size.
_ERROR_TEXT_CAPS = (None, 64 * 1024, 1024, 0)

_serving = threading.Lock()


def serve(handler):
    """Serves ``handler`` to the Synapse host until the host closes the worker's stdin.

    ``handler`` is either one callable, called as ``handler(payload)`` for calls without a function
    name, or a mapping from function names to such callables. A callable may be a plain function,
    run on the calling thread one call at a time in arrival order, or an ``async def`` function,
    whose calls run concurrently on an asyncio event loop in a background thread (and can be
    cancelled by the host). The payload is the decoded MessagePack value the host sent; the return
    value is sent back the same way (None, bool, int, float, str, bytes, list/tuple, dict,
    datetime, ExtType).

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
        reader = _protocol.FrameReader(frames_in, max_frame)
        writer = _protocol.FrameWriter(frames_out, max_frame)
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
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__", "").startswith(_OWN_MODULES):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _describe(exc, kind, with_traceback=True):
    """The error map for ``exc``."""
    if with_traceback:
        text = _traceback_text(exc)
    else:
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

        self._asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="pysynapse-asyncio", daemon=True)
        self._thread.start()

    def _run(self):
        self._asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        except BaseException:
            _log.exception("the asyncio event loop stopped")

    @property
    def alive(self):
        return self._thread.is_alive()

    def submit(self, coroutine):
        """Schedules ``coroutine``; returns its concurrent.futures.Future."""
        return self._asyncio.run_coroutine_threadsafe(coroutine, self.loop)


class _Server:
    def __init__(self, functions, reader, writer):
        self._functions = functions
        self._names = sorted(name for name in functions if name is not None)
        self._reader = reader
        self._writer = writer
        self._queue = collections.deque()  # (id, function, payload) of calls not started yet
        self._running = {}  # id -> Future of an async call the host still waits for
        self._running_lock = threading.Lock()
        self._async = None

    def run(self):
        self._writer.write(_codec.encode(_protocol.ready_message("pysynapse", self._names)))
        try:
            self._loop()
        except BrokenPipeError:
            _log.debug("the host closed the frame stream; stopping")

    def _loop(self):
        reader, queue = self._reader, self._queue
        while True:
            try:
                body = reader.next_frame(wait=not queue)
            except _protocol.FrameTooLargeError as exc:
                _log.error("skipped an incoming %s", exc)
                continue
            except EOFError as exc:
                _log.error("%s; stopping", exc)
                return
            if body is not None:
                self._on_frame(body)
            elif queue:
                self._run_next()
            elif reader.eof or not reader.fill():
                if reader.buffered:
                    _log.error("the input ended inside a frame (%d bytes)", reader.buffered)
                return

    def _run_next(self):
        call_id, name, payload = self._queue.popleft()
        started = time.perf_counter()
        self._call(call_id, name, payload)
        if time.perf_counter() - started >= _SLOW_CALL and self._reader.input_waiting():
            self._reader.fill()

    def _on_frame(self, body):
        try:
            message = _codec.decode(body)
        except Exception as exc:
            _log.error("ignored a frame of %d bytes that does not decode: %s", len(body), exc)
            return
        if type(message) is list and message:
            kind = message[0]
            if kind == CALL and len(message) == 4 and _valid_id(message[1]):
                self._queue.append((message[1], message[2], message[3]))
                return
            if kind == CANCEL and len(message) == 2 and _valid_id(message[1]):
                self._cancel(message[1])
                return
        _log.error("ignored a message that is not a valid CALL or CANCEL: %s", _preview(message))

    def _call(self, call_id, name, payload):
        try:
            function = self._functions[name]
        except (KeyError, TypeError):
            self._send_error(call_id, self._function_error(name))
            return
        try:
            result = function(payload)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._send_error(call_id, _describe(exc, "handler"))
            return
        if isinstance(result, Coroutine):
            self._start_async(call_id, result)
        else:
            self._send_result(call_id, result)

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
        with self._running_lock:
            future = self._running.pop(call_id, None)
        if future is not None:
            future.cancel()

    def _start_async(self, call_id, coroutine):
        if self._async is None or not self._async.alive:
            self._async = _EventLoopThread()
        future = self._async.submit(coroutine)
        with self._running_lock:
            self._running[call_id] = future
        future.add_done_callback(functools.partial(self._async_done, call_id))

    def _async_done(self, call_id, future):
        with self._running_lock:
            if self._running.get(call_id) is not future:
                return  # the host cancelled it and no longer waits for an answer
            del self._running[call_id]
        try:
            if future.cancelled():  # by the coroutine itself or another task, not by the host
                import asyncio  # loaded already: it runs this call

                exc = asyncio.CancelledError(f"call {call_id} was cancelled")
                self._send_error(call_id, _describe(exc, "cancelled", with_traceback=False))
                return
            exc = future.exception()
            if exc is not None:
                self._send_error(call_id, _describe(exc, "handler"))
            else:
                self._send_result(call_id, future.result())
        except OSError as exc:
            _log.debug("could not send the answer to call %d: %s", call_id, exc)

    def _send_result(self, call_id, value):
        try:
            body = _codec.encode([RESULT, call_id, value])
        except Exception as exc:
            self._send_error(call_id, _describe(exc, "encode", with_traceback=False))
            return
        try:
            self._writer.write(body)
        except _protocol.FrameTooLargeError as exc:
            problem = ValueError(
                f"the result is {exc.size} bytes encoded, "
                f"more than the maximum frame size of {exc.limit} bytes"
            )
            self._send_error(call_id, _describe(problem, "encode", with_traceback=False))

    def _send_error(self, call_id, error):
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
                self._writer.write(body)
                return
        _log.error("the error for call %d does not fit in a frame: %s", call_id, error["message"])


def _valid_id(value):
    return type(value) is int and value >= 0
