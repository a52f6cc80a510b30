"""Functions for the pool tests: each answer says which worker (pid) gave it."""

import asyncio
import os
import signal
import time

import pysynapse

state = {"running": 0, "held": []}

if os.environ.get("POOL_START_BARRIER"):
    # "DIR:N": this worker says it started, then becomes ready only once N workers have started,
    # so that workers started one after another would never all become ready.
    directory, count = os.environ["POOL_START_BARRIER"].rsplit(":", 1)
    open(os.path.join(directory, str(os.getpid())), "w").close()
    while len(os.listdir(directory)) < int(count):
        time.sleep(0.01)
if os.environ.get("POOL_SLOW_MARKER") and os.path.exists(os.environ["POOL_SLOW_MARKER"]):
    time.sleep(60)


def tagged(payload):
    """[payload, pid], after an optional pause of payload["pause"] seconds."""
    pause = payload.get("pause", 0) if isinstance(payload, dict) else 0
    if pause:
        time.sleep(pause)
    return [payload, os.getpid()]


def pid(_):
    return os.getpid()


def sleep_pid(seconds):
    time.sleep(seconds)
    return os.getpid()


async def concurrent(seconds):
    """[pid, how many calls of this function ran in this worker when this one started]."""
    state["running"] += 1
    try:
        running = state["running"]
        await asyncio.sleep(seconds)
        return [os.getpid(), running]
    finally:
        state["running"] -= 1


def hold_memory(mebibytes):
    """Keeps mebibytes MiB allocated (and touched) until the worker exits."""
    state["held"].append(b"x" * (mebibytes * 1024 * 1024))
    return os.getpid()


def spin(loops):
    """CPU-bound work in pure Python."""
    total = 0
    for i in range(loops):
        total += i * i
    return total


def kill_self(_):
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    pysynapse.serve(
        {
            "tagged": tagged,
            "pid": pid,
            "sleep_pid": sleep_pid,
            "concurrent": concurrent,
            "hold_memory": hold_memory,
            "spin": spin,
            "kill_self": kill_self,
        }
    )
