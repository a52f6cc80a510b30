"""One-way payloads for synapse-bench: ``size`` takes bytes and answers their length (Java to
Python), ``blob`` answers ``n`` bytes (Python to Java). Each answer of ``blob`` is made once per
size and kept, so that the figure measures the transfer, not Python allocating the bytes."""

import pysynapse

_blobs = {}


def size(data):
    return len(data)


def blob(n):
    data = _blobs.get(n)
    if data is None:
        data = _blobs[n] = bytes(range(256)) * (n // 256) + bytes(n % 256)
    return data


if __name__ == "__main__":
    pysynapse.serve({"size": size, "blob": blob})
