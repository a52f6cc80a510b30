"""Cancelling the plain call that is running: a watcher thread reads the input meanwhile, and a
signal raises CallCancelled in the handler.

Plain handlers run on the serve loop's thread (the main thread), which reads no input while one
runs. So while a handler runs longer than a moment, the watcher (a thread of its own, started by
the first call) takes the input over::

    serve loop:  holds input_lock ─► release, running = id ─► handler(payload) ─► running = None,
                 (reads, queues,      ▲                                          acquire input_lock
                  answers)            │
    watcher:                          └─ select(stdin) ─► acquire input_lock (non-blocking) ─►
                                         decode the frames there, as the serve loop would ─►
                                         CANCEL of `running`: pthread_kill(main, SIGUSR2)

The lock rule: everything the serve loop owns (the FrameReader, the queue, the sync streams) is
touched only by the holder of ``input_lock``. The serve loop holds it at all times except around a
plain handler's call; the watcher takes it only while ``running`` is set, never waits for it, and
holds it only for reads that cannot block (select said there is input). So CANCELs and CALLs that
arrive during a long call are taken at once: a queued call that is cancelled is answered at once,
and the running one is interrupted.

The interruption is a signal, INTERRUPT_SIGNAL (SIGUSR2), sent to the main thread: it ends a
blocking system call there (time.sleep, a lock's acquire, a read) and Python runs the signal's
handler at the next bytecode, which raises CallCancelled if the call it was sent for is still the
one running; a signal that lands after that call returned does nothing. A signal that lands
after the handler's last look for signals but before its blocking call begins interrupts nothing
(the call would sleep on), so the watcher sends it again every _REPEAT_AFTER while the call runs
and its handler has not seen it. A C call that ignores signals is not interrupted. A SIGUSR2 that
pysynapse did not send goes to the handler the module had installed before serve(), or has its
default effect; one that comes within _LATE_REPEAT of pysynapse's own is taken for a repeat that
arrived after its handler had seen the first.
"""

import _signal as signal  # the C module: the signal module's enums cost start-up time
import _thread
import time

from ._answers import log
from ._protocol import FrameTooLargeError

INTERRUPT_SIGNAL = getattr(signal, "SIGUSR2", None)
# A plain call is watched once it has run this long, or at once when a thread of its handler waits
# for the host (nudge). Each wake-up of the watcher costs the serve loop a hand-off of the GIL: at
# 5 ms, in a burst of quick calls, that showed at the 99th percentile of their round trips.
_WATCH_DELAY = 0.05
# How long the watcher pauses when the serve loop holds input_lock between calls.
_LOCK_BUSY_PAUSE = 0.005
# How long the watcher waits for input at a time before it looks again whether the call ended.
_WATCH_POLL = 0.05
# How often an interruption that the running call has not seen yet is sent again.
_REPEAT_AFTER = 0.1
# How long after pysynapse's last interruption signal a SIGUSR2 is taken for one of its repeats.
_LATE_REPEAT = 1.0


class CallCancelled(BaseException):
    """Raised in a running plain handler whose call the host cancelled (a timeout, or cancel()).

    A BaseException, so that ``except Exception`` does not swallow it; ``finally`` blocks run. A
    handler that catches it and returns anyway has its answer sent.
    """


CallCancelled.__module__ = "pysynapse"


class CancelWatcher:
    """Watches the input while a plain handler runs; see the module comment."""

    def __init__(self, reader, writer, on_frame):
        self.input_lock = _thread.allocate_lock()
        self.running = None  # the id of the plain call running; set and cleared by the serve loop
        self.cancelled = None  # the id of the running call a CANCEL came for
        self._reader = reader
        self._writer = writer
        self._on_frame = on_frame
        self._main = _thread.get_ident()
        self._target = None  # the call an interruption was sent for
        self._sent = 0  # interruptions sent, and seen by the handler (repeats are not counted)
        self._seen = 0
        self._last_signal = float("-inf")  # time.monotonic() when a signal was last sent
        self._previous = None
        self._installed = False
        self._wake = None
        self._nudged = _thread.allocate_lock()  # held while no nudge is pending
        self._nudged.acquire()
        self._armed = False
        self._calls = 0  # plain calls started

    def install(self):
        """Installs the signal handler (the serve loop's thread, which must be the main thread:
        else calls are not interrupted, only their queued neighbours answered)."""
        if INTERRUPT_SIGNAL is None or not hasattr(signal, "pthread_kill"):
            return
        try:
            self._previous = signal.signal(INTERRUPT_SIGNAL, self._on_signal)
        except ValueError:  # not the main thread
            return
        self._installed = True

    def uninstall(self):
        if self._installed:
            self._installed = False
            previous = self._previous
            signal.signal(INTERRUPT_SIGNAL, signal.SIG_DFL if previous is None else previous)

    def run(self, call_id, function, argument):
        """``function(argument)``: user code of plain call ``call_id``, run by the serve loop with
        input_lock released, so that the watcher reads the input meanwhile and a CANCEL of the call
        interrupts it."""
        self.cancelled = None
        self._calls += 1
        # running is set before the lock is released: a CANCEL the watcher reads at once is taken
        # for this call, not for a stream or a call that has ended.
        self.running = call_id
        if not self._armed:
            self._arm()
        self.input_lock.release()
        try:
            return function(argument)
        finally:
            try:  # an interruption that lands here must not keep the lock from being taken back
                self.running = None
            finally:
                self.input_lock.acquire()

    def pause(self):
        """The plain call running on this thread waits (for an item of its input, or for the
        host's answer), and this thread takes input_lock back to read the input meanwhile.

        ``running`` is cleared before the lock is taken: an interruption that lands during the
        wait raises nothing, since the CANCEL that sent it marks the wait instead. Raising there
        could leave input_lock held by a thread that unwinds past its ``try``. Returns the call's
        id and whether an interruption was sent for it that it did not raise."""
        waiting = self.running
        assert waiting is not None, "only a running plain call pauses"
        self.running = None
        try:
            self.input_lock.acquire()
        except BaseException:  # a SIGUSR2 handler the module installed raised
            self.running = waiting
            raise
        lost = self._target == waiting
        if lost:
            self._target = None
        return waiting, lost

    def resume(self, call_id):
        """The paused plain call ``call_id`` runs again: input_lock goes back to the watcher."""
        self.input_lock.release()
        self.running = call_id
        if not self._armed:
            self._arm()

    def interrupt(self, call_id):
        """Interrupts the running call ``call_id`` (a CANCEL for it arrived)."""
        self.cancelled = call_id
        if not self._installed:
            log().warning(
                "call %d cannot be interrupted: serve() is not on the main thread", call_id
            )
            return
        self._target = call_id
        self._sent += 1
        self._signal()

    def _repeat_unseen_interruption(self):
        target = self._target
        if (
            target is not None
            and target == self.running
            and self._sent != self._seen
            and time.monotonic() - self._last_signal >= _REPEAT_AFTER
        ):
            self._signal()

    def _signal(self):
        self._last_signal = time.monotonic()
        signal.pthread_kill(self._main, INTERRUPT_SIGNAL)

    def nudge(self):
        """Watches the running plain call now rather than after _WATCH_DELAY: a thread of its
        handler waits for an answer that only the watcher can read meanwhile."""
        if self.running is None:
            return
        try:
            self._nudged.release()
        except RuntimeError:  # a nudge is pending already
            pass

    def _on_signal(self, signum, frame):
        if self._sent != self._seen:
            self._seen = self._sent
            target = self._target
            if target is not None and target == self.running:
                self._target = None
                raise CallCancelled(f"call {target} was cancelled by the host")
            return  # the call ended before the signal came
        if time.monotonic() - self._last_signal < _LATE_REPEAT:
            return  # a repeat that came after the first had been seen
        previous = self._previous
        if callable(previous):
            previous(signum, frame)
        elif previous in (signal.SIG_DFL, None):
            signal.signal(signum, signal.SIG_DFL)
            signal.pthread_kill(self._main, signum)

    def _arm(self):
        # _thread rather than threading: a worker whose calls are all quick imports neither.
        if self._wake is None:
            self._wake = _thread.allocate_lock()  # held while there is nothing to watch
            self._wake.acquire()
            _thread.start_new_thread(self._run, ())
        self._armed = True
        try:
            self._wake.release()
        except RuntimeError:  # released already
            pass

    def _run(self):
        while True:
            self._wake.acquire()
            while True:
                # Only a call that has run for _WATCH_DELAY is watched: in a burst of quick calls
                # the watcher wakes once per delay, stays armed (so that run() wakes nobody)
                # and leaves the input to the serve loop.
                call = self._calls
                if self._nudged.acquire(True, _WATCH_DELAY):
                    call = self._calls
                while self._calls == call and self.running is not None and not self._reader.eof:
                    self._watch()
                if self._calls != call and not self._reader.eof:
                    continue
                self._armed = False
                # run() sets running before it looks at _armed: a call started meanwhile is
                # seen here, or arms the watcher again.
                if self.running is None or self._reader.eof:
                    break
                self._armed = True

    def _watch(self):
        import select

        self._repeat_unseen_interruption()
        try:
            readable = select.select([self._reader.fd], [], [], _WATCH_POLL)[0]
        except (OSError, ValueError):
            readable = False
        if not readable or self.running is None:
            return
        if not self.input_lock.acquire(False):
            time.sleep(_LOCK_BUSY_PAUSE)  # the serve loop is between calls
            return
        try:
            # Ask again under the lock: the serve loop may have read what select saw before it
            # released the lock for this call, and a read with nothing waiting would block here.
            progressed = (
                self.running is None or not self._reader.input_waiting() or self._take_input()
            )
        finally:
            self.input_lock.release()
        if not progressed:
            # A body too large for the buffer has begun: the serve loop takes it after the call.
            time.sleep(_WATCH_POLL)

    def _take_input(self):
        """Decodes and handles the frames that have arrived; False if nothing could be read."""
        reader = self._reader
        before = reader.buffered
        if not reader.fill():
            return True  # the end of the input: the serve loop ends after the call
        if reader.buffered == before:
            return False
        try:
            while True:
                body = reader.next_frame(False)
                if body is None:
                    break
                self._on_frame(body)
        except FrameTooLargeError as exc:
            log().error("skipped an incoming %s", exc)
        except EOFError as exc:
            log().error("%s", exc)
        except Exception:
            log().exception("handling the input during a call failed")
        try:
            self._writer.flush()
        except OSError as exc:
            log().debug("could not write to the host: %s", exc)
        return True
