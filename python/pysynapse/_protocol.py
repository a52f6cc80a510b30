"""Frames and messages of the Synapse wire protocol (docs/protocol.md).

A frame is a 4-byte unsigned little-endian length N followed by N bytes holding one MessagePack
value. The length is checked against the maximum frame size before anything is allocated for the
body.
"""

import io
import os
import platform
import select
import struct
import threading

from . import _codec
from ._version import __version__

PROTOCOL_VERSION = 1

# Worker to host.
READY = 0
RESULT = 1
ERROR = 2
ITEM = 3
END = 4
# Host to worker.
CALL = 1
CANCEL = 2
CREDIT = 3
STREAM = 4

MAX_FRAME_ENV = "SYNAPSE_MAX_FRAME"
DEFAULT_MAX_FRAME = 256 * 1024 * 1024
_LARGEST_LENGTH = 0xFFFFFFFF

_HEADER = struct.Struct("<I")
_CHUNK = 64 * 1024
# Frames up to this size are sent with one write call (header and body joined).
_SMALL_WRITE = 64 * 1024


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


def ready_message(mode, functions):
    """The READY message: ``mode`` is "pysynapse" or "legacy", ``functions`` a list of names."""
    return [
        READY,
        {
            "protocol": PROTOCOL_VERSION,
            "mode": mode,
            "pysynapse": __version__,
            "python": platform.python_version(),
            "codec": _codec.NAME,
            "functions": list(functions),
            "pid": os.getpid(),
        },
    ]


def frame(body):
    """``body`` with its length header in front."""
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Cuts frame bodies out of the byte stream on one file descriptor.

    Input is read in chunks into one buffer, and every complete frame in it can be taken without
    blocking, which lets the serve loop see the frames already sent (a CANCEL, say) before it runs
    the next call. A body larger than a chunk that is still incomplete is read straight into its
    own preallocated bytearray, so a 64 MiB payload costs one allocation and no concatenation. A
    frame over the maximum size is read and thrown away in chunks, never allocated.

    Not thread-safe: only the serve loop's thread uses it.
    """

    def __init__(self, fd, max_frame):
        self._raw = io.FileIO(fd, "rb", closefd=False)
        self._fd = fd
        self._max = max_frame
        self._buf = bytearray()
        self._start = 0
        self.eof = False

    @property
    def buffered(self):
        """Bytes received but not yet taken as frames."""
        return len(self._buf) - self._start

    def fill(self):
        """Blocks for the next chunk of input; returns False at the end of the input."""
        chunk = self._raw.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self._start:
            del self._buf[: self._start]
            self._start = 0
        self._buf += chunk
        return True

    def input_waiting(self):
        """Whether fill() would return at once (always False on Windows)."""
        if os.name == "nt" or self.eof:
            return False
        try:
            readable, _, _ = select.select([self._fd], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def next_frame(self, wait=True):
        """Takes the next complete frame body out of the buffer, or returns None if there is none.

        With ``wait``, a large body whose beginning has arrived is completed by blocking reads.
        Raises FrameTooLargeError after skipping an oversized frame, and EOFError if the input ends
        inside a frame that is being completed or skipped.
        """
        buf, start = self._buf, self._start
        if len(buf) - start < 4:
            return None
        size = _HEADER.unpack_from(buf, start)[0]
        if size > self._max:
            self._skip(size)
            raise FrameTooLargeError(size, self._max)
        end = start + 4 + size
        if end <= len(buf):
            self._start = end
            return buf[start + 4 : end]
        if not wait or size <= _CHUNK:
            return None
        body = bytearray(size)
        have = len(buf) - start - 4
        body[:have] = memoryview(buf)[start + 4 :]
        self._consume_all()
        self._read_into(memoryview(body)[have:])
        return body

    def _consume_all(self):
        self._buf = bytearray()
        self._start = 0

    def _read_into(self, view):
        while len(view):
            count = self._raw.readinto(view)
            if not count:
                self.eof = True
                raise EOFError("the input ended inside a frame")
            view = view[count:]

    def _skip(self, size):
        have = min(size, len(self._buf) - self._start - 4)
        self._start += 4 + have
        left = size - have
        scratch = memoryview(bytearray(min(left, _CHUNK)))
        while left:
            part = scratch[: min(left, len(scratch))]
            self._read_into(part)
            left -= len(part)


def _write_all(fd, data):
    view = memoryview(data)
    while len(view):
        view = view[os.write(fd, view) :]


class FrameWriter:
    """Writes whole frames to one file descriptor.

    Thread-safe: a lock keeps frames written from several threads (the serve loop, the asyncio loop)
    from interleaving; it is held only while one frame is written.
    """

    def __init__(self, fd, max_frame):
        self._fd = fd
        self._max = max_frame
        self._lock = threading.Lock()

    @property
    def max_frame(self):
        return self._max

    def write(self, body):
        """Writes ``body`` as one frame; raises FrameTooLargeError, leaving the stream untouched."""
        size = len(body)
        if size > self._max:
            raise FrameTooLargeError(size, self._max)
        header = _HEADER.pack(size)
        with self._lock:
            if size <= _SMALL_WRITE:
                _write_all(self._fd, header + body)
            else:
                _write_all(self._fd, header)
                _write_all(self._fd, body)

    def write_many(self, bodies):
        """Writes each of ``bodies`` as one frame, all with one write call when they are small.

        The caller has checked every size against the maximum already.
        """
        if len(bodies) == 1:
            self.write(bodies[0])
            return
        data = bytearray()
        for body in bodies:
            data += _HEADER.pack(len(body))
            data += body
        with self._lock:
            _write_all(self._fd, data)
