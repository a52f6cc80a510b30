"""Named functions that each exercise one behaviour of the worker."""
import asyncio
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time

import pysynapse

log = logging.getLogger("toolbox")
state = {"started": False, "cancelled": False}


def echo(payload):
    return payload


def fail(payload):
    raise ValueError("bad input: %s" % (payload,))


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def hold(path):
    """Says it started (creates path + ".started"), then returns once the file at path exists.

    A latch the test opens: while it waits, the worker takes no other plain call.
    """
    open(path + ".started", "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError("nobody created " + path)
        time.sleep(0.01)
    return True


async def async_sleep(seconds):
    state["started"] = True
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        state["cancelled"] = True
        raise
    return seconds


def was_cancelled(_):
    return state["cancelled"]


def async_sleep_started(_):
    """Whether async_sleep has begun to run: a cancel that comes earlier never reaches its body."""
    return state["started"]


def unencodable(_):
    return {"fine": 1, "bad": {1, 2, 3}}


def chatter(payload):
    print("printed", payload)
    sys.stdout.write("written to sys.stdout\n")
    sys.stdout.flush()
    os.write(1, b"written to fd 1\n")
    os.system("echo from a child process")
    log.warning("a warning about %s", payload)
    log.debug("debug is below the default level")
    return "chatted"


def kill_self(_):
    os.kill(os.getpid(), signal.SIGKILL)


def exit_with(code):
    sys.stdout.flush()
    os._exit(code)


def segfault(_):
    ctypes.string_at(0)


def die_mid_frame(_):
    """Writes the start of a 16-byte frame to the frame stream, then dies before its end."""
    from pysynapse import _stdio

    frames = _stdio.frame_stream()
    frames.write(b"\x10\x00\x00\x00\x92\x01")
    frames.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def spawn_child(_):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    return child.pid


def bytes_of(size):
    return bytes(size)


def length(data):
    return len(data)


def env(name):
    return os.environ.get(name)


def pid(_):
    return os.getpid()


if __name__ == "__main__":
    pysynapse.serve(
        {
            name: fn
            for name, fn in globals().items()
            if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", None) == "__main__"
        }
    )
