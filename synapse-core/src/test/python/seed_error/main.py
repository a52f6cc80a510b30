"""Seed-style loop that echoes, or answers {"error": ...} when asked to fail."""
import struct
import sys

import msgpack


def handle(payload):
    if isinstance(payload, dict) and payload.get("fail"):
        return {"error": "refused: " + str(payload["fail"])}
    return payload


while True:
    header = sys.stdin.buffer.read(4)
    if not header:
        break
    body = sys.stdin.buffer.read(int.from_bytes(header, "little"))
    answer = msgpack.packb(handle(msgpack.unpackb(body)))
    sys.stdout.buffer.write(struct.pack("<I", len(answer)) + answer)
    sys.stdout.buffer.flush()
