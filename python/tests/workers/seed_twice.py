"""A seed-style module (it reads its frames itself) that answers some requests twice."""

import struct
import sys

from pysynapse import _codec


def frame(value):
    body = bytes(_codec.encode(value))
    return struct.pack("<I", len(body)) + body


def main():
    out = sys.stdout.buffer
    while True:
        header = sys.stdin.buffer.read(4)
        if not header:
            return
        request = _codec.decode(sys.stdin.buffer.read(struct.unpack("<I", header)[0]))
        answer = frame(["answer", request])
        if request == "split":  # the length and the body in separate writes, byte by byte
            for index in range(len(answer)):
                out.write(answer[index : index + 1])
                out.flush()
        elif request == "twice, one write":
            out.write(answer + frame(["second", request]))
        else:
            out.write(answer)
            if request == "twice":
                out.flush()
                out.write(frame(["second", request]))
        out.flush()


main()
