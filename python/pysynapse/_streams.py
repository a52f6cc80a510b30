"""Streams of plain iterators, advanced on the serve loop's thread between frames.

There is no thread per stream: the serve loop gives each stream with credit a turn, in rounds
that end after a stream's credit, 64 KiB of frames or a millisecond, and writes a round's frames
together. One slow next() delays the serve loop like one slow plain handler; it is not
interrupted (a CANCEL takes effect after it). All state here belongs to the holder of the serve
loop's input lock (see _interrupt).
"""

import time

from ._answers import describe, log
from ._interrupt import CallCancelled

# A round of stream items ends once it holds this many bytes of frames, or has run this long.
_ROUND_BYTES = 64 * 1024
_ROUND_TIME = 0.001


class SyncStreams:
    def __init__(self, answers):
        self._answers = answers
        self._streams = {}  # id -> _SyncStream the host still waits for
        # The _SyncStreams with credit, in turn order. Never replaced: the serve loop tests this
        # dict itself for work without input (a method call per test would cost every call).
        self.ready = {}

    def start(self, call_id, iterator, credit):
        stream = _SyncStream(call_id, iterator, credit)
        self._streams[call_id] = stream
        if credit > 0:
            self.ready[call_id] = stream

    def grant(self, call_id, count):
        """Adds credit; False if ``call_id`` is no sync stream (maybe an async one)."""
        stream = self._streams.get(call_id)
        if stream is None:
            return False
        stream.credit += count
        if call_id not in self.ready:
            self.ready[call_id] = stream
        return True

    def cancel(self, call_id):
        """Closes the stream's generator and ends it with ERROR kind "cancelled"; False if
        ``call_id`` is no sync stream."""
        stream = self._streams.pop(call_id, None)
        if stream is None:
            return False
        self.ready.pop(call_id, None)
        close_quietly(stream.iterator, call_id)
        problem = CallCancelled(f"stream {call_id} was cancelled by the host")
        self._answers.error(call_id, describe(problem, "cancelled", with_traceback=False))
        return True

    def close_all(self):
        streams = list(self._streams.values())
        self._streams.clear()
        self.ready.clear()
        for stream in streams:
            close_quietly(stream.iterator, stream.call_id)

    def advance(self):
        """One round: each stream with credit sends items in turn until the round is full."""
        ready, add = self.ready, self._answers.writer.add
        step, clock = self._step, time.perf_counter
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
                    if size >= _ROUND_BYTES or clock() - started >= _ROUND_TIME:
                        full = True
                        break
                if not finished and stream.credit > 0:
                    ready[call_id] = stream  # its turn comes again after the others'
        finally:
            self._answers.writer.flush()

    def _step(self, stream):
        """Takes the next item of ``stream``: the body to send (None if there is nothing to send),
        and whether the stream ended."""
        call_id, answers = stream.call_id, self._answers
        answers.before_user_code()
        try:
            item = next(stream.iterator)
        except StopIteration:
            if self._streams.pop(call_id, None) is None:
                return None, True  # cancelled while the step ran: answered already
            return answers.end_body(call_id), True
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            if self._streams.pop(call_id, None) is None:
                return None, True
            # CallCancelled: the host cancelled a stream whose step was running (an input stream's)
            kind = "cancelled" if isinstance(exc, CallCancelled) else "handler"
            return answers.error_body(call_id, describe(exc, kind)), True
        if self._streams.get(call_id) is not stream:
            # The step of an input stream runs with input_lock released: a CANCEL handled meanwhile
            # closed the generator and answered it; the item is not sent after that answer.
            return None, True
        body, error = answers.item_body(call_id, stream.sent, item)
        if body is None:
            del self._streams[call_id]
            close_quietly(stream.iterator, call_id)
            return answers.error_body(call_id, error), True
        stream.credit -= 1
        stream.sent += 1
        return body, False


class _SyncStream:
    __slots__ = ("call_id", "iterator", "credit", "sent")

    def __init__(self, call_id, iterator, credit):
        self.call_id = call_id
        self.iterator = iterator
        self.credit = credit  # items it may still send
        self.sent = 0


def close_quietly(iterator, call_id):
    """Closes a stream's generator (its ``finally`` blocks run); logs what that raises."""
    close = getattr(iterator, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:
        log().exception("closing the generator of stream %d failed", call_id)
