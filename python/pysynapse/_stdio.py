"""Keeps frames and text apart on the worker's standard streams.

After ``install()``:

* the frames go to a private duplicate of the original fd 1, and fd 1 itself is a copy of fd 2, so
  whatever Python code, a C extension or a child process writes to "stdout" ends up on stderr;
* the frames come from a private duplicate of the original fd 0, and fd 0 itself reads /dev/null,
  so a child process or C code that reads "stdin" cannot swallow frames (it sees end of input);
* ``sys.stdout`` writes its text to stderr, while its ``.buffer`` is the frame stream, which is
  what a module written for the original Node library uses to send its answers.

``arm_legacy()`` (the bootstrap calls it) makes ``sys.stdin`` a reader of the incoming frames that
calls a hook once, just before its first read: that is how a seed-style module (one that reads its
frames itself) gets its READY frame sent. It also puts an answer guard in front of the frame stream
as ``sys.stdout.buffer``: the host sends a seed-style module one request at a time, so a frame that
begins before the next request was read is a second answer to one request, which would reach the
next caller as its answer. The guard writes no byte of it: it ends the worker with
SECOND_ANSWER_EXIT and a message on stderr, and the host fails the call in flight and replaces the
worker. ``claim_stdin()`` (serve() calls it) disarms that hook and points
``sys.stdin`` at /dev/null, leaving the frames to serve().

The private descriptors are not inheritable. The state lives in this module rather than in the
bootstrap because the bootstrap may run as ``__main__`` (``python -m``): a module importing
``pysynapse._bootstrap`` would then get a second copy of it.
"""

import _thread
import io
import os
import sys

_lock = _thread.allocate_lock()
_fds = None  # (frames in, frames out) once installed
_frames_out = None
_stdin_hook = None
_answer_guard = None

# The exit code of a seed-style worker whose module wrote a second answer to one request.
SECOND_ANSWER_EXIT = 70
SECOND_ANSWER_MESSAGE = (
    "pysynapse: the module wrote a second answer to one request (or an answer before its "
    "first request); ending the worker so no caller gets another call's answer\n"
)


class _TextToStderr(io.TextIOBase):
    """``sys.stdout`` after install(): text goes to stderr, ``.buffer`` is the frame stream."""

    def __init__(self, stderr, frames):
        super().__init__()
        self._stderr = stderr
        self._frames = frames

    @property
    def buffer(self):
        return self._frames

    @property
    def encoding(self):
        return self._stderr.encoding

    @property
    def errors(self):
        return self._stderr.errors

    def writable(self):
        return True

    def write(self, text):
        return self._stderr.write(text)

    def flush(self):
        self._stderr.flush()
        self._frames.flush()

    def fileno(self):
        return 1  # now a copy of stderr, which is where text written to it belongs

    def isatty(self):
        return os.isatty(1)


class _AnswerGuard(io.BufferedIOBase):
    """``sys.stdout.buffer`` of a seed-style module: the frame stream, one answer per request.

    Follows the frames in the bytes written (a 4-byte length, then that many bytes) and lets a new
    frame begin only if a request has been read since the last one began.
    """

    def __init__(self, frames):
        super().__init__()
        self._frames = frames
        self._may_answer = False  # set when a request is read, cleared when an answer begins
        self._header = bytearray()  # the part of a frame's length written so far
        self._body_left = 0  # bytes of the current frame's body still to come

    def writable(self):
        return True

    def fileno(self):
        return self._frames.fileno()

    def flush(self):
        self._frames.flush()

    def request_read(self):
        self._may_answer = True

    def write(self, data):
        view = memoryview(data).cast("B")
        size, pos = len(view), 0
        while pos < size:
            if self._body_left:
                taken = min(self._body_left, size - pos)
                self._body_left -= taken
                pos += taken
                continue
            if not self._header:  # a frame begins here
                if not self._may_answer:
                    self._frames.write(view[:pos])
                    _end_after_second_answer(self._frames)
                self._may_answer = False
            taken = min(4 - len(self._header), size - pos)
            self._header += view[pos : pos + taken]
            pos += taken
            if len(self._header) == 4:
                self._body_left = int.from_bytes(self._header, "little")
                self._header.clear()
        return self._frames.write(view)


def _end_after_second_answer(frames):
    try:
        frames.flush()  # what came before the second answer
    except OSError:
        pass
    sys.stderr.write(SECOND_ANSWER_MESSAGE)
    sys.stderr.flush()
    from . import _watchdog

    _watchdog.end_group_members()
    os._exit(SECOND_ANSWER_EXIT)


class _FirstReadHook(io.RawIOBase):
    """Raw reader over a file descriptor that calls ``hook`` once, before the first read, and
    tells the answer guard of every read that returns a request's bytes."""

    def __init__(self, fd, hook, guard):
        super().__init__()
        self._raw = io.FileIO(fd, "rb", closefd=False)
        self._hook = hook
        self._guard = guard
        self.fired = False

    def readable(self):
        return True

    def fileno(self):
        return self._raw.fileno()

    def isatty(self):
        return self._raw.isatty()

    def disarm(self):
        self._hook = None

    def readinto(self, buffer):
        hook = self._hook
        if hook is not None:
            self._hook = None
            self.fired = True
            hook()
        count = self._raw.readinto(buffer)
        if count and self._guard is not None:
            self._guard.request_read()
        return count


def install():
    """Moves the frame streams off fds 0 and 1 (see above); returns (in fd, out fd). Idempotent."""
    global _fds, _frames_out
    with _lock:
        if _fds is not None:
            return _fds
        if sys.stdout is not None:
            sys.stdout.flush()
        frames_in, frames_out = os.dup(0), os.dup(1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        _frames_out = io.BufferedWriter(io.FileIO(frames_out, "wb", closefd=False))
        if sys.stderr is not None:
            sys.stdout = _TextToStderr(sys.stderr, _frames_out)
        _fds = (frames_in, frames_out)
        return _fds


def frame_stream():
    """The buffered outgoing frame stream (``sys.stdout.buffer``); install() must have run."""
    if _frames_out is None:
        raise RuntimeError("pysynapse stdio is not installed")
    return _frames_out


def _text_reader(raw, like):
    return io.TextIOWrapper(
        io.BufferedReader(raw),
        encoding=getattr(like, "encoding", None) or "utf-8",
        errors=getattr(like, "errors", None) or "strict",
    )


def arm_legacy(hook):
    """Makes ``sys.stdin`` read the incoming frames, calling ``hook()`` before its first read, and
    puts the answer guard in front of the frame stream as ``sys.stdout.buffer``."""
    global _stdin_hook, _answer_guard
    frames_in, _ = install()
    with _lock:
        if isinstance(sys.stdout, _TextToStderr):
            _answer_guard = _AnswerGuard(_frames_out)
            sys.stdout._frames = _answer_guard
        _stdin_hook = _FirstReadHook(frames_in, hook, _answer_guard)
        sys.stdin = _text_reader(_stdin_hook, sys.stdin)


def claim_stdin():
    """Leaves the incoming frames to serve(), pointing ``sys.stdin`` at /dev/null.

    Disarms the legacy hook; raises RuntimeError if the module has read ``sys.stdin`` already.
    """
    with _lock:
        if _stdin_hook is not None:
            _stdin_hook.disarm()
            if _stdin_hook.fired:
                raise RuntimeError(
                    "serve() cannot take over: this module has already read sys.stdin (it runs "
                    "as a seed-style module)"
                )
        if _answer_guard is not None and isinstance(sys.stdout, _TextToStderr):
            sys.stdout._frames = _frames_out
        sys.stdin = _text_reader(io.FileIO(0, "rb", closefd=False), sys.stdin)
