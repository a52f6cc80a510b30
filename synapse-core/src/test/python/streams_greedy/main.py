"""A worker that ignores stream credit: it sends every item at once (a broken worker)."""
import os

import pysynapse
from pysynapse import _server

_start_stream = _server._Server._start_stream


def _greedy(self, call_id, name, result, credit):
    _start_stream(self, call_id, name, result, 10**9)


_server._Server._start_stream = _greedy


def count(n):
    yield from range(n)


def pid(_):
    return os.getpid()


if __name__ == "__main__":
    pysynapse.serve({"count": count, "pid": pid})
