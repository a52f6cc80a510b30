"""Seed-style loop that echoes, or writes bytes that are not a frame when asked to."""
import struct
import sys

import msgpack

while True:
    header = sys.stdin.buffer.read(4)
    if not header:
        break
    payload = msgpack.unpackb(sys.stdin.buffer.read(int.from_bytes(header, "little")))
    if payload == "garbage":
        sys.stdout.buffer.write(b"Do something with the payload\n")
    else:
        answer = msgpack.packb(payload)
        sys.stdout.buffer.write(struct.pack("<I", len(answer)) + answer)
    sys.stdout.buffer.flush()
