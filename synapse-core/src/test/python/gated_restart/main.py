"""A worker whose every start after the first waits until the file named by SYNAPSE_TEST_GATE
exists, so that a test holds its pool without a live worker for as long as it needs.

A start that waits says so by creating GATE + ".waiting".
"""
import os
import time

import pysynapse

gate = os.environ["SYNAPSE_TEST_GATE"]
try:
    os.close(os.open(gate + ".first", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
except FileExistsError:
    open(gate + ".waiting", "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(gate):
        if time.monotonic() > deadline:
            raise SystemExit("nobody opened " + gate)
        time.sleep(0.01)


def count(n):
    yield from range(n)


def pid(_):
    return os.getpid()


pysynapse.serve({"count": count, "pid": pid})
