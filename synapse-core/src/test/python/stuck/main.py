"""Handlers that never return on their own, each blocked in a different way."""
import ctypes
import os
import signal
import threading
import time

import pysynapse


def spin(_):
    while True:
        pass


def sleep_forever(_):
    time.sleep(1e9)


def deadlock(_):
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()


def c_sleep(seconds):
    """Blocks in C with every signal held back, as a C call that ignores signals does.

    A plain ``sleep(3)`` would return early when pysynapse's interrupt signal arrives (EINTR), so
    the signals are blocked for this thread first.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    ctypes.CDLL(None).sleep(int(seconds))


def pid(_):
    return os.getpid()


_ran = []


def count_me(_):
    _ran.append(1)


def counted(_):
    """How many times count_me ran."""
    return len(_ran)


def one_then_sleep(_):
    """A stream whose second item never comes."""
    yield 1
    time.sleep(1e9)


if __name__ == "__main__":
    pysynapse.serve(
        {
            "spin": spin,
            "sleep_forever": sleep_forever,
            "one_then_sleep": one_then_sleep,
            "deadlock": deadlock,
            "c_sleep": c_sleep,
            "pid": pid,
            "count_me": count_me,
            "counted": counted,
        }
    )
