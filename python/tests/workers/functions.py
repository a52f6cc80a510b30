"""A worker serving many small functions, one per behaviour under test."""

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import worker_errors

import pysynapse

log = logging.getLogger("functions")


def echo(payload):
    return payload


def add(payload):
    return payload["a"] + payload["b"]


def fail(payload):
    raise worker_errors.Bad(f"bad payload: {payload!r}")


def fail_builtin(payload):
    return {}["missing"]


def unencodable(payload):
    return {"ok": [1, 2], "bad": {1, 2}}


def too_big(payload):
    return b"x" * payload


def noisy(payload):
    print("from print")
    sys.stdout.write("from sys.stdout.write\n")
    sys.stdout.flush()
    os.write(1, b"from os.write(1)\n")
    os.system("echo from a child process")
    return "quiet"


def logs(payload):
    log.debug("debug line")
    log.info("info line")
    log.warning("two\nlines")
    log.log(25, "custom level 25")
    log.log(5, "custom level 5")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("with traceback")
    return None


def sleep(payload):
    if payload.get("announce"):
        log.warning("started %s", payload["tag"])
    time.sleep(payload["seconds"])
    log.warning("ran %s", payload["tag"])
    return payload["tag"]


def reads_stdin(payload):
    child = subprocess.run(["cat"], stdout=subprocess.PIPE, timeout=5)
    return [sys.stdin.read(), child.stdout]


def mark(payload):
    log.warning("mark %s", payload)


def spawn_child(payload):
    return subprocess.Popen(["sleep", "60"]).pid


async def asleep(payload):
    await asyncio.sleep(payload)
    return payload


async def wait_for_cancel(payload):
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        log.warning("cancelled %s", payload)
        raise
    return "not cancelled"


async def afail(payload):
    await asyncio.sleep(0)
    raise KeyError(payload)


async def aunencodable(payload):
    return {1}


async def cancels_itself(payload):
    raise asyncio.CancelledError()


def nest(levels):
    value = 1
    for _ in range(levels):
        value = [value]
    return value


def _stuck(tag, wait):
    log.warning("started %s", tag)
    try:
        wait()
    finally:
        log.warning("finally %s", tag)


def spin(payload):
    def forever():
        while True:
            pass

    _stuck(payload, forever)


def sleep_forever(payload):
    _stuck(payload, lambda: time.sleep(1e9))


def deadlock(payload):
    lock = threading.Lock()
    lock.acquire()
    _stuck(payload, lock.acquire)


def loses_its_first_interruption(payload):
    """The interruption signal is taken before Python's handler can see it, as happens to one that
    lands just before a blocking call begins; then the handler sleeps."""
    interruption = {signal.SIGUSR2}
    signal.pthread_sigmask(signal.SIG_BLOCK, interruption)
    log.warning("started %s", payload)
    try:
        taken = signal.sigtimedwait(interruption, 5)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, interruption)
    log.warning("took signal %s", taken and taken.si_signo)
    time.sleep(10)


def finishes_anyway(payload):
    try:
        _stuck(payload, lambda: time.sleep(1e9))
    except pysynapse.CallCancelled:
        return "finished anyway"


pysynapse.serve(
    {
        name: function
        for name, function in globals().items()
        if callable(function)
        and not name.startswith("_")
        and getattr(function, "__module__", None) == __name__
    }
)
