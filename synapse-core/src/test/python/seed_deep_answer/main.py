"""Seed-style loop that echoes, or answers "deep" with a list nested 300,000 levels deep."""
import struct
import sys

import msgpack

DEEP = b"\x91" * 300_000 + b"\xc0"

while True:
    header = sys.stdin.buffer.read(4)
    if not header:
        break
    payload = msgpack.unpackb(sys.stdin.buffer.read(int.from_bytes(header, "little")))
    answer = DEEP if payload == "deep" else msgpack.packb(payload)
    sys.stdout.buffer.write(struct.pack("<I", len(answer)) + answer)
    sys.stdout.buffer.flush()
