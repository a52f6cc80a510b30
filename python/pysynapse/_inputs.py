"""Input streams: calls whose input is a stream of values that the host sends one by one.

The handler of such a call gets one positional argument, a *feed*: an iterator over the items
(a plain ``def``) or an async iterator (an ``async def``). The host sends an item only for credit
the worker granted, so a feed never holds more than its window::

    host                                          worker
    CALL [1, 7, "f", nil, {"input": "stream"}] ─► queued; when it starts: f(feed)
                                               ◄─ INPUT_CREDIT [5, 7, 16]
    INPUT [5, 7, item] ... (16 items)          ─► feed buffers them; next(feed) takes one
                                               ◄─ INPUT_CREDIT [5, 7, n] (half the window taken)
    INPUT_END [6, 7] or INPUT_ERROR [7, 7, e]  ─► StopIteration, or InputStreamError

Threads: items are pushed by whoever holds the serve loop's ``input_lock`` (the serve loop, or
the cancel watcher while a plain handler runs) and taken by the handler: on the main thread for a
plain handler, on the asyncio thread for an async one. A plain handler that finds its feed empty
asks the serve loop to read the input until an item comes (``wait``, see _server): it takes
``input_lock`` back for that, so the frames that arrive meanwhile (CANCELs, CREDITs, the items of
other feeds, new calls, which are queued) are handled as usual. The table of feeds holds them
weakly: a feed lives as long as its handler (or the generator it returned) refers to it, and the
items the host sent for a call that has ended are dropped.
"""

import collections
import weakref

from . import _codec
from ._answers import log, preview
from ._interrupt import CallCancelled
from ._protocol import INPUT, INPUT_CREDIT, INPUT_END, INPUT_ERROR

# The credit granted when the handler starts, before the size of the items is known.
_INITIAL_CREDIT = 16
# The most items granted and not yet taken by the handler, and that window in bytes.
_MAX_WINDOW = 64
_BYTE_BUDGET = 4 * 1024 * 1024
# The attribute that carries, on an exception raised by a handler, where in its input it was.
POSITION_ATTRIBUTE = "_pysynapse_input_position"


class InputStreamError(Exception):
    """The host's input stream failed: its iterator threw while producing item ``position``.

    ``type_name`` is the class of the host's exception (e.g. ``java.lang.IllegalStateException``)
    and ``host_message`` its message. Raised by the feed's ``next()`` after the items sent before
    it; a handler that does not catch it fails with it.
    """

    def __init__(self, position, type_name, host_message):
        super().__init__(
            f"the host's input stream failed at item {position}: {type_name}: {host_message}"
        )
        self.position = position
        self.type_name = type_name
        self.host_message = host_message


InputStreamError.__module__ = "pysynapse"


def tag(exc, feed):
    """Marks ``exc``, raised by the handler of ``feed``, with where in the input it happened."""
    if not isinstance(exc, Exception) or isinstance(
        exc, (InputStreamError, StopIteration, StopAsyncIteration)
    ):
        return
    if getattr(exc, POSITION_ATTRIBUTE, None) is not None:
        return
    where = f"input item {feed.taken - 1}" if feed.taken else "before the first input item"
    try:
        setattr(exc, POSITION_ATTRIBUTE, where)
    except Exception:  # an exception type that takes no attributes
        pass


class InputFeeds:
    """The feeds of the input-stream calls that have started, by call id.

    Owned by the holder of ``input_lock``. ``writer`` sends INPUT_CREDIT; ``wait(feed)`` is the
    serve loop reading the input for a plain handler whose feed is empty.
    """

    def __init__(self, writer, wait):
        self._writer = writer
        self._wait = wait
        self._feeds = weakref.WeakValueDictionary()

    def open(self, call_id, function, loop=None):
        """The feed of call ``call_id`` that starts now; async if ``loop`` (its event loop) is
        given. Grants the first credit."""
        if loop is None:
            feed = SyncFeed(call_id, self._writer, self._wait)
        else:
            feed = AsyncFeed(call_id, self._writer, loop)
        self._feeds[call_id] = feed
        feed.grant(_INITIAL_CREDIT)
        return feed

    def on_message(self, message, size):
        """Handles INPUT, INPUT_END or INPUT_ERROR; ``size`` is the frame's length."""
        kind, call_id = message[0], message[1]
        feed = self._feeds.get(call_id)
        if feed is None:
            return  # a call that has ended, or was cancelled: its input is not wanted
        if kind == INPUT and len(message) == 3:
            feed.push(message[2], size)
        elif kind == INPUT_END and len(message) == 2:
            feed.end(None)
        elif kind == INPUT_ERROR and len(message) == 3 and type(message[2]) is dict:
            error = message[2]
            feed.end(
                InputStreamError(
                    error.get("position"), error.get("type"), error.get("message")
                )
            )
        else:
            log().error("ignored an invalid input message: %s", preview(message))

    def cancel(self, call_id):
        """Marks the feed of ``call_id`` cancelled. True if the serve loop is reading the input
        for it right now (the main thread then raises CallCancelled in the handler itself)."""
        feed = self._feeds.get(call_id)
        if type(feed) is not SyncFeed:  # an async handler's task is cancelled instead
            return False
        feed.cancel()
        return feed.waiting


class _Feed:
    """What both kinds of feed share: the buffer, the end, the credit."""

    def __init__(self, call_id, writer):
        self.call_id = call_id
        self.taken = 0  # items handed to the handler
        self.waiting = False  # the serve loop reads the input for this feed (SyncFeed)
        self.cancelled = False
        self._writer = writer
        self._items = collections.deque()
        self._ended = False
        self._error = None  # the InputStreamError that ended the input
        self._granted = 0
        self._average = 0  # the average frame size of the items so far

    @property
    def ready(self):
        """Whether the next ``next()`` returns or raises without waiting."""
        return bool(self._items) or self._ended or self.cancelled

    def push(self, item, size):
        if self.cancelled:
            return
        average = self._average
        self._average = size if not average else average + (size - average) // 8
        self._items.append(item)
        self._wake()

    def end(self, error):
        self._ended = True
        self._error = error
        self._wake()

    def cancel(self):
        self.cancelled = True
        self._items.clear()
        self._wake()

    def grant(self, count):
        self._granted += count
        try:
            self._writer.write(_codec.encode([INPUT_CREDIT, self.call_id, count]))
        except OSError as exc:  # the host is gone; the serve loop sees the end of its input
            log().debug("could not grant input credit for call %d: %s", self.call_id, exc)

    def _wake(self):
        pass

    def _take(self):
        item = self._items.popleft()
        self.taken += 1
        outstanding = self._granted - self.taken
        window = self._window()
        if outstanding <= window // 2 and not self._ended:
            self.grant(window - outstanding)
        return item

    def _window(self):
        average = self._average
        if not average:
            return _MAX_WINDOW
        return max(1, min(_MAX_WINDOW, _BYTE_BUDGET // average))

    def _finished(self):
        """The exception for a feed with no item left: the end, the host's error, a cancel."""
        if self.cancelled:
            return CallCancelled(f"call {self.call_id} was cancelled by the host")
        if self._error is not None:
            return self._error
        return None


class SyncFeed(_Feed):
    """The iterator a plain handler gets; its ``next()`` blocks until the host sends an item."""

    def __init__(self, call_id, writer, wait):
        super().__init__(call_id, writer)
        self._wait = wait

    def __iter__(self):
        return self

    def __next__(self):
        if not self.ready:
            self._wait(self)
        if self._items and not self.cancelled:
            return self._take()
        problem = self._finished()
        if problem is not None:
            raise problem
        raise StopIteration

    def lost(self):
        """The host closed the worker's input while the handler waited for an item."""
        self.cancelled = True


class AsyncFeed(_Feed):
    """The async iterator an ``async def`` handler gets, driven on the asyncio thread."""

    def __init__(self, call_id, writer, loop):
        super().__init__(call_id, writer)
        self._loop = loop
        self._waiter = None  # the future the handler awaits while the feed is empty

    def __aiter__(self):
        return self

    async def __anext__(self):
        while not self.ready:
            waiter = self._loop.create_future()
            self._waiter = waiter
            if self.ready:  # an item came between the test and the waiter
                self._waiter = None
                break
            try:
                await waiter
            finally:
                self._waiter = None
        if self._items and not self.cancelled:
            return self._take()
        problem = self._finished()
        if problem is not None:
            raise problem
        raise StopAsyncIteration

    def _wake(self):
        if self._waiter is not None:
            try:
                self._loop.call_soon_threadsafe(self._resolve)
            except RuntimeError:  # the event loop is closed
                pass

    def _resolve(self):
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class FedIterator:
    """The iterator a handler with a stream input returned (stream in, stream out): each step
    runs through ``run`` (the serve loop's way of running user code, see _server), and an
    exception is tagged with its place in the input. It keeps the feed alive while it streams."""

    def __init__(self, iterator, feed, run):
        self._iterator = iterator
        self._feed = feed
        self._run = run

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._run(self._feed.call_id, next, self._iterator)
        except BaseException as exc:
            tag(exc, self._feed)
            raise

    def close(self):
        close = getattr(self._iterator, "close", None)
        if close is not None:
            close()


class FedAsyncIterator:
    """Like FedIterator, for an async iterator."""

    def __init__(self, iterator, feed):
        self._iterator = iterator
        self._feed = feed

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self._iterator.__anext__()
        except BaseException as exc:
            tag(exc, self._feed)
            raise

    async def aclose(self):
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()


async def fed_coroutine(coroutine, feed):
    """Awaits an async handler's coroutine, tagging its exception with its place in the input."""
    try:
        return await coroutine
    except BaseException as exc:
        tag(exc, feed)
        raise
