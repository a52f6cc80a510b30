"""Seed-style loop that sleeps for the number of seconds it is sent, then answers it."""
import os
import struct
import sys
import time

import msgpack

while True:
    header = sys.stdin.buffer.read(4)
    if not header:
        break
    payload = msgpack.unpackb(sys.stdin.buffer.read(int.from_bytes(header, "little")))
    if isinstance(payload, (int, float)):
        time.sleep(payload)
    answer = msgpack.packb([payload, os.getpid()])
    sys.stdout.buffer.write(struct.pack("<I", len(answer)) + answer)
    sys.stdout.buffer.flush()
