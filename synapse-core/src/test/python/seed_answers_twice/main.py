"""Seed-style loop that answers "twice" with two frames, the second a moment after the first
(when the host may have sent the next caller's request), and any other request once."""
import struct
import sys
import time

import msgpack


def send(value):
    answer = msgpack.packb(value)
    sys.stdout.buffer.write(struct.pack("<I", len(answer)) + answer)
    sys.stdout.buffer.flush()


while True:
    header = sys.stdin.buffer.read(4)
    if not header:
        break
    payload = msgpack.unpackb(sys.stdin.buffer.read(int.from_bytes(header, "little")))
    send(["answer", payload])
    if payload == "twice":
        time.sleep(0.3)
        send(["second answer", payload])
