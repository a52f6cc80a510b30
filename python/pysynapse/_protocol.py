"""Frames and messages of the Synapse wire protocol (docs/protocol.md).

A frame is a 4-byte unsigned little-endian length N followed by N bytes holding one MessagePack
value. The length is checked against the maximum frame size before anything is allocated for the
body.
"""

import _thread
import io
import os
import struct
import sys

from . import _codec
from ._codec import Chunks
from ._version import __version__

PROTOCOL_VERSION = 1

# Worker to host.
READY = 0
RESULT = 1
ERROR = 2
ITEM = 3
END = 4
INPUT_CREDIT = 5
HOST_CALL = 6
HOST_CANCEL = 7
PONG = 8
# Host to worker.
CALL = 1
CANCEL = 2
CREDIT = 3
STREAM = 4
INPUT = 5
INPUT_END = 6
INPUT_ERROR = 7
HOST_RESULT = 8
HOST_ERROR = 9
PING = 10

MAX_FRAME_ENV = "SYNAPSE_MAX_FRAME"
DEFAULT_MAX_FRAME = 256 * 1024 * 1024
_LARGEST_LENGTH = 0xFFFFFFFF

_HEADER = struct.Struct("<I")
# The input buffer (the default capacity of a Linux pipe).
_CHUNK = 64 * 1024
# A body this large is written from where it is, not copied among the frames waiting.
_SMALL_WRITE = 64 * 1024
# Frames added are written once they reach this many bytes.
_BATCH_BYTES = 64 * 1024


class FrameTooLargeError(ValueError):
    """A frame is longer than the maximum frame size; ``size`` and ``limit`` are in bytes."""

    def __init__(self, size, limit):
        super().__init__(f"frame of {size} bytes exceeds the maximum frame size of {limit} bytes")
        self.size = size
        self.limit = limit


def max_frame_size(environ=None):
    """The maximum frame size the host passed in ``SYNAPSE_MAX_FRAME``, or the default 256 MiB."""
    value = (os.environ if environ is None else environ).get(MAX_FRAME_ENV)
    if value is None or not value.strip():
        return DEFAULT_MAX_FRAME
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= _LARGEST_LENGTH:
        raise ValueError(
            f"{MAX_FRAME_ENV} must be an integer from 1 to {_LARGEST_LENGTH}, got {value!r}"
        )
    return size


def python_version():
    """``platform.python_version()``, read off ``sys.version`` without importing platform (and re)
    when that starts the usual way for CPython: "3.11.2 (main, ...".
    """
    version, _, rest = sys.version.partition(" ")
    if (
        sys.implementation.name == "cpython"
        and rest.startswith("(")
        and version.replace(".", "").replace("+", "").replace("_", "").isalnum()
        and version.isascii()
    ):
        parts = version.split(".")
        if len(parts) == 2:
            parts.append("0")
        return ".".join(parts)
    import platform

    return platform.python_version()


def ready_message(mode, functions):
    """The READY message: ``mode`` is "pysynapse" or "legacy", ``functions`` a list of names."""
    return [
        READY,
        {
            "protocol": PROTOCOL_VERSION,
            "mode": mode,
            "pysynapse": __version__,
            "python": python_version(),
            "codec": _codec.NAME,
            "functions": list(functions),
            "pid": os.getpid(),
            **READY_EXTRAS,
            **({"shm": 1} if mode == "pysynapse" else {}),
        },
    ]


# Keys that parts of pysynapse add to the READY info (e.g. the debugger's port).
READY_EXTRAS = {}


def call_id_of(body):
    """The id of a CALL or STREAM frame body read from its head alone, or None if the body does
    not begin like one: for answering a frame whose value cannot be decoded."""
    data = bytes(body[:16])
    if len(data) < 3:
        return None
    head = data[0]
    if 0x90 <= head <= 0x9F:
        pos = 1
    elif head == 0xDC:
        pos = 3
    elif head == 0xDD:
        pos = 5
    else:
        return None
    if len(data) < pos + 2 or data[pos] not in (CALL, STREAM):
        return None
    code = data[pos + 1]
    pos += 2
    if code < 0x80:
        return code
    size = _ID_SIZES.get(code)
    if size is None or len(data) < pos + size:
        return None
    return int.from_bytes(data[pos : pos + size], "big")


# The unsigned integer formats of an id: uint 8, 16, 32, 64 and the size of their value.
_ID_SIZES = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}


def frame(body):
    """``body`` with its length header in front."""
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Cuts frame bodies out of the byte stream on one file descriptor.

    Input is read with ``readinto`` into one buffer that is allocated once, and every complete
    frame in it can be taken without blocking, which lets the serve loop see the frames already
    sent (a CANCEL, say) before it runs the next call. A body is handed out as a memoryview of that
    buffer, valid until the next call of a method of the reader: decode it before going on. A body
    too large for the buffer is read straight into a second buffer, kept for the next large body,
    so that a stream of 64 MiB payloads touches fresh memory once (the decoders copy what they take
    out of a body, so nothing decoded refers to either buffer). A frame over the maximum size is
    read and thrown away in pieces, never allocated. ``before_wait``, if given, is called before
    every read that may block (the serve loop writes the answers it has gathered).

    Not thread-safe: only the serve loop's thread uses it.
    """

    def __init__(self, fd, max_frame, before_wait=None):
        self._raw = io.FileIO(fd, "rb", closefd=False)
        self._fd = fd
        self._max = max_frame
        self._before_wait = before_wait
        self._buf = bytearray(_CHUNK)
        self._view = memoryview(self._buf)
        self._start = 0  # the first byte not taken yet
        self._end = 0  # the end of the bytes received
        self._large = bytearray()  # bodies larger than the buffer; only grows
        self.eof = False

    @property
    def fd(self):
        return self._fd

    @property
    def buffered(self):
        """Bytes received but not yet taken as frames."""
        return self._end - self._start

    def fill(self):
        """Blocks for more input; returns False at the end of the input.

        Reads nothing when the buffer is full: it then holds the beginning of a body too large for
        it, which next_frame() completes.
        """
        start, end = self._start, self._end
        if start == end:
            start = end = 0
        elif start:
            end -= start
            self._buf[:end] = self._buf[start : start + end]
            start = 0
        self._start, self._end = start, end
        if end == _CHUNK:
            return True
        if self._before_wait is not None:
            self._before_wait()
        count = self._raw.readinto(self._view[end:])
        if not count:
            self.eof = True
            return False
        self._end = end + count
        return True

    def input_waiting(self):
        """Whether fill() would return at once (always False on Windows)."""
        if os.name == "nt" or self.eof:
            return False
        import select

        try:
            readable, _, _ = select.select([self._fd], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def next_frame(self, wait=True):
        """Takes the next complete frame body out of the buffer, or returns None if there is none.

        The body is a memoryview that the next call of any method of the reader may overwrite.
        With ``wait``, a body too large for the buffer whose beginning has arrived is completed by
        blocking reads. Raises FrameTooLargeError after skipping an oversized frame, and EOFError
        if the input ends inside a frame that is being completed or skipped.
        """
        start = self._start
        if self._end - start < 4:
            return None
        size = _HEADER.unpack_from(self._buf, start)[0]
        if size > self._max:
            self._skip(size)
            raise FrameTooLargeError(size, self._max)
        end = start + 4 + size
        if end <= self._end:
            self._start = end
            return self._view[start + 4 : end]
        if not wait or size + 4 <= _CHUNK:
            return None
        return self._read_large(size)

    def _read_large(self, size):
        if len(self._large) < size:
            self._large = bytearray()  # the old one is freed before the new one is made
            self._large = bytearray(size)
        body = memoryview(self._large)[:size]
        have = self._end - self._start - 4
        body[:have] = self._view[self._start + 4 : self._end]
        self._start = self._end = 0
        self._read_into(body[have:])
        return body

    def _read_into(self, view):
        if self._before_wait is not None:
            self._before_wait()
        while len(view):
            count = self._raw.readinto(view)
            if not count:
                self.eof = True
                raise EOFError("the input ended inside a frame")
            view = view[count:]

    def _skip(self, size):
        have = min(size, self._end - self._start - 4)
        self._start += 4 + have
        left = size - have
        if left:  # all the buffer held was taken: it serves as scratch space for the rest
            self._start = self._end = 0
            while left:
                part = self._view[: min(left, _CHUNK)]
                self._read_into(part)
                left -= len(part)


def _write_all(fd, data):
    written = os.write(fd, data)
    if written < len(data):  # a large body, or a signal
        view = memoryview(data)[written:]
        while len(view):
            view = view[os.write(fd, view) :]


class FrameWriter:
    """Writes whole frames to one file descriptor, small ones gathered into one write call.

    ``write()`` sends a frame at once; ``add()`` appends it to the frames waiting, which go out
    with the next ``flush()`` or ``write()``, or as soon as they reach 64 KiB. A large body is
    written after the frames waiting, straight from where it is (its header separately). The body
    may be any bytes-like object or a ``Chunks``.

    Thread-safe: a lock keeps frames written from several threads (the serve loop, the asyncio
    loop, the flusher) from interleaving; it is held while frames are added or written.
    """

    def __init__(self, fd, max_frame):
        self._fd = fd
        self._max = max_frame
        self._lock = _thread.allocate_lock()
        self._waiting = bytearray()

    @property
    def max_frame(self):
        return self._max

    @property
    def waiting(self):
        """Whether frames added are waiting for a flush."""
        return bool(self._waiting)

    def write(self, body):
        """Writes ``body`` as one frame now (after the frames waiting).

        Raises FrameTooLargeError, leaving the stream untouched.
        """
        self.add(body, True)

    def add(self, body, flush=False):
        """Adds ``body`` as one frame to those waiting; with ``flush``, writes them all now.

        Raises FrameTooLargeError, leaving the stream untouched.
        """
        size = len(body)
        if size > self._max:
            raise FrameTooLargeError(size, self._max)
        with self._lock:
            waiting = self._waiting
            waiting += _HEADER.pack(size)
            if size >= _SMALL_WRITE or type(body) is Chunks:
                self._write_waiting()
                if type(body) is Chunks:
                    for part in body.parts:
                        _write_all(self._fd, part)
                else:
                    _write_all(self._fd, body)
                return
            waiting += body
            if flush or len(waiting) >= _BATCH_BYTES:
                self._write_waiting()

    def flush(self):
        """Writes the frames waiting, if any."""
        if self._waiting:
            with self._lock:
                self._write_waiting()

    def _write_waiting(self):
        data = self._waiting
        if data:
            self._waiting = bytearray()  # taken before writing: a failed write drops them
            _write_all(self._fd, data)
