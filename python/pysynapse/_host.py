"""Calls from a worker's handlers to the functions the host exposes (docs/protocol.md, *Calling
the host*)::

    handler ─► host.call(name, payload) ─► HOST_CALL [6, cid, name, payload, parent] ─► host
                                        ◄─ HOST_RESULT [8, cid, value] or HOST_ERROR [9, cid, error]

``parent`` is the id of the host's call that the handler serves, so that the host can refuse and
cancel what is made for a call it has given up on. How a caller waits depends on its thread:

    the serve loop's thread   (a plain handler) runs the serve loop itself until its answer has
                              come (_server.serve_while_waiting): the host's calls that arrive
                              meanwhile, made perhaps by the very function it waits for, run
                              nested, so a single thread cannot deadlock
    any other thread          blocks on a lock of its own, released by whoever reads the answer
    an event loop             awaits a future (call_async); the blocking call() is refused on
                              pysynapse's event loop, which it would stop

The lock rule: ``_lock`` guards the table of waiting calls and each waiter's ``done``; it is
never held while writing or waking. Answers are read by the holder of the serve loop's
input_lock (the serve loop or the cancel watcher), and a CANCEL of a call ends the waits of the
plain callers made for it with CallCancelled (an async caller's task is cancelled instead).
"""

import _thread
import contextvars
import itertools

from . import _codec
from ._answers import log, preview
from ._interrupt import CallCancelled
from ._protocol import HOST_CALL, HOST_CANCEL

# The id of the host's call that the code running serves: set for async handlers' tasks (and
# copied into what they start with the context, like asyncio.to_thread); plain handlers are
# found through the serve loop instead.
CURRENT_CALL = contextvars.ContextVar("pysynapse_current_call", default=None)


class JavaError(Exception):
    """A function of the host failed: ``java_type`` is the Java exception's class name,
    ``java_message`` its message, ``java_stack_trace`` its stack trace (with its causes) and
    ``kind`` "java" (the function threw), "encode" (its result could not be sent) or "function"
    (no such function)."""

    def __init__(self, java_type, java_message, java_stack_trace="", kind="java"):
        super().__init__(f"{java_type}: {java_message}")
        self.java_type = java_type
        self.java_message = java_message
        self.java_stack_trace = java_stack_trace
        self.kind = kind
        if java_stack_trace and hasattr(self, "add_note"):  # shown with the Python traceback
            self.add_note("Java stack trace:\n" + java_stack_trace.rstrip())


class UnknownFunctionError(JavaError, LookupError):
    """The host exposes no function of the name called; the message lists those it exposes."""


JavaError.__module__ = UnknownFunctionError.__module__ = "pysynapse.host"


def active():
    """The HostCalls of the serve() running; RuntimeError outside serve()."""
    from ._server import host_calls  # this module is loaded by the first call to the host

    calls = host_calls()
    if calls is None:
        raise RuntimeError(
            "pysynapse.host can only be called while pysynapse.serve() runs, from a handler or a "
            "thread it started"
        )
    return calls


class _Waiter:
    """One call waiting for the host; ``lock`` wakes a thread, ``future`` an event loop."""

    __slots__ = ("cid", "name", "parent", "done", "value", "error", "lock", "loop", "future")

    def __init__(self, cid, name, parent):
        self.cid = cid
        self.name = name
        self.parent = parent
        self.done = False
        self.value = self.error = None
        self.lock = self.loop = self.future = None

    def outcome(self):
        if self.error is not None:
            error, self.error = self.error, None  # no cycle through the traceback
            raise error
        return self.value


class HostCalls:
    """The calls to the host waiting for their answers; see the module comment."""

    def __init__(self, server, writer):
        self._server = server
        self._writer = writer
        self._lock = _thread.allocate_lock()
        self._ids = itertools.count(1)
        self._waiting = {}  # cid -> _Waiter
        self._closed = False

    def call(self, name, payload):
        server = self._server
        if server.on_event_loop(_thread.get_ident()):
            raise RuntimeError(
                "pysynapse.host.call() would block the event loop of async handlers; "
                "use 'await pysynapse.host.call_async(...)' there"
            )
        parent = CURRENT_CALL.get()
        if parent is None:
            parent = server.plain_call_running()
        on_main = server.on_main(_thread.get_ident())
        if on_main and parent is None:
            raise RuntimeError(
                "pysynapse.host.call() cannot be used in a plain generator: its stream is being "
                "advanced; call the host from the handler before it returns the generator"
            )
        waiter = _Waiter(next(self._ids), name, parent)
        if not on_main:
            waiter.lock = _thread.allocate_lock()
            waiter.lock.acquire()
        self._send(waiter, payload)
        if not on_main:
            server.watch_input()
        try:
            if on_main:
                server.serve_while_waiting(waiter)
            else:
                waiter.lock.acquire()
        finally:
            self._forget(waiter)
        return waiter.outcome()

    async def call_async(self, name, payload):
        import asyncio

        waiter = _Waiter(next(self._ids), name, CURRENT_CALL.get())
        waiter.loop = asyncio.get_running_loop()
        waiter.future = waiter.loop.create_future()
        self._send(waiter, payload)
        self._server.watch_input()
        try:
            await waiter.future
        finally:
            self._forget(waiter)
        return waiter.outcome()

    def _send(self, waiter, payload):
        if not isinstance(waiter.name, str):
            name = preview(waiter.name)
            raise TypeError(f"the name of a host function must be a str, got {name}")
        body = _codec.encode_body([HOST_CALL, waiter.cid, waiter.name, payload, waiter.parent])
        with self._lock:
            if self._closed:
                raise ConnectionError("the host has closed the worker's input")
            self._waiting[waiter.cid] = waiter
        try:
            self._writer.write(body)
        except BaseException:
            with self._lock:
                self._waiting.pop(waiter.cid, None)
            raise

    def _forget(self, waiter):
        """The caller stops waiting; the host is told if its answer has not come."""
        with self._lock:
            if waiter.done:
                return
            waiter.done = True
            del self._waiting[waiter.cid]
        try:
            self._writer.write(_codec.encode([HOST_CANCEL, waiter.cid]))
        except OSError as exc:
            log().debug("could not withdraw host call %d: %s", waiter.cid, exc)

    # The serve loop's side (the holder of input_lock) ---------------------------------------------

    def answered(self, ok, cid, value):
        """HOST_RESULT (``ok``) or HOST_ERROR of ``cid``; one for a call no longer waiting is
        dropped."""
        if ok:
            self._settle(cid, value, None)
        else:
            self._settle(cid, None, _error(value))

    def cancel_under(self, parent):
        """The host cancelled its call ``parent``: the plain callers waiting for it get
        CallCancelled."""
        if not self._waiting:
            return
        with self._lock:
            cids = [w.cid for w in self._waiting.values() if w.parent == parent and w.loop is None]
        for cid in cids:
            self._settle(cid, None, CallCancelled(f"call {parent} was cancelled by the host"))

    def close(self):
        """The serve loop ends: every caller still waiting gets ConnectionError."""
        with self._lock:
            self._closed = True
            cids = list(self._waiting)
        for cid in cids:
            self._settle(cid, None, ConnectionError("the host closed the worker's input"))

    def _settle(self, cid, value, error):
        with self._lock:
            waiter = self._waiting.pop(cid, None)
            if waiter is None:
                return
            waiter.done = True
            waiter.value = value
            waiter.error = error
        if waiter.lock is not None:
            waiter.lock.release()
        elif waiter.future is not None:
            try:
                waiter.loop.call_soon_threadsafe(_wake, waiter.future)
            except RuntimeError:  # its event loop is closed
                pass


def _wake(future):
    if not future.done():
        future.set_result(None)


def _error(error):
    if not isinstance(error, dict):
        return JavaError("", str(error))
    kind = error.get("kind")
    java_type = str(error.get("type", ""))
    message = str(error.get("message", ""))
    if kind == "cancelled":
        return CallCancelled(message)
    trace = error.get("traceback")
    trace = trace if isinstance(trace, str) else ""
    if kind == "function":
        return UnknownFunctionError(java_type, message, trace, kind)
    return JavaError(java_type, message, trace, str(kind))

