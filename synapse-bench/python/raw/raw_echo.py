"""The floor of synapse-bench: frames over the same pipes, with no MessagePack and no pysynapse.

Frames are a 4-byte little-endian length and a body, as in Synapse, but the body is opaque; its
first byte says what to do with it:

* ``E...``: echo the whole frame back unchanged;
* ``S...``: sink; answer with a frame holding the body's length (8 bytes, little-endian);
* ``G`` and an 8-byte little-endian ``n``: answer with a frame of ``n`` bytes.

Input is read with ``readinto`` into buffers that are allocated once and reused (a body larger than
the chunk buffer goes into a second buffer that only grows), and every complete frame that has
arrived is answered before the next read, with one write for all the echoes. That is the best this
loop can do: the figures of Synapse are compared with it. Given a path, it speaks over the
Unix-domain socket there instead of stdin and stdout (see use_socket).
"""

import io
import os
import struct
import sys

HEADER = struct.Struct("<I")
COUNT = struct.Struct("<Q")
CHUNK = 1 << 20


def write_all(data):
    view = memoryview(data)
    while len(view):
        view = view[os.write(1, view) :]


class Loop:
    def __init__(self):
        self.stdin = io.FileIO(0, "rb", closefd=False)
        self.buf = bytearray(CHUNK)
        self.view = memoryview(self.buf)
        self.big = bytearray()  # bodies larger than CHUNK, read here and kept for the next one
        self.source = bytearray()  # what "G" answers with, grown once to the largest n asked for
        self.out = []

    def run(self):
        start = end = 0
        while True:
            while end - start >= 4:
                size = HEADER.unpack_from(self.buf, start)[0]
                if start + 4 + size > end:
                    if 4 + size > CHUNK:
                        self.large(size, start + 4, end)
                        start = end = 0
                    break
                self.handle(
                    self.view[start + 4 : start + 4 + size], self.view[start : start + 4 + size]
                )
                start += 4 + size
            self.flush()
            if start:
                self.buf[: end - start] = self.buf[start:end]
                end -= start
                start = 0
            count = self.stdin.readinto(self.view[end:])
            if not count:
                return
            end += count

    def large(self, size, body_start, end):
        if len(self.big) < size:
            self.big = bytearray(size)
        body = memoryview(self.big)[:size]
        have = end - body_start
        body[:have] = self.view[body_start:end]
        while have < size:
            count = self.stdin.readinto(body[have:])
            if not count:
                sys.exit("the input ended inside a frame")
            have += count
        self.handle(body, None)

    def handle(self, body, frame):
        op = body[0]
        if op == 0x45:  # E
            self.out.append(frame)  # a view of the input buffer, joined before it is reused
        elif op == 0x53:  # S
            self.out.append(HEADER.pack(8) + COUNT.pack(len(body)))
        elif op == 0x47:  # G
            self.flush()
            n = COUNT.unpack_from(body, 1)[0]
            if len(self.source) < n:
                self.source = bytearray(os.urandom(min(n, 4096))) * (n // 4096 + 1)
            write_all(HEADER.pack(n))
            write_all(memoryview(self.source)[:n])
        else:
            sys.exit(f"unknown op {op!r}")

    def flush(self):
        if self.out:
            write_all(b"".join(self.out))
            self.out.clear()


def use_socket(path):
    """Connects to the Unix-domain socket at ``path`` and makes it fds 0 and 1, so that the loop
    runs unchanged over a socket instead of the pipes (the transport suite's comparison)."""
    import socket

    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    os.dup2(connection.fileno(), 0)
    os.dup2(connection.fileno(), 1)
    connection.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        use_socket(sys.argv[1])
    Loop().run()
