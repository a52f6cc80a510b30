"""The module behind synapse-bench's soak run: every answer carries the caller's token, so a caller
that gets another call's answer is caught."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import pysynapse


def echo(payload):
    """[token, data] back as it came."""
    return payload


def blob(payload):
    """[token, n]: answers [token, n bytes] (Python to Java)."""
    token, n = payload
    return [token, bytes(n)]


def nap(payload):
    """[token, seconds] in a plain handler."""
    token, seconds = payload
    time.sleep(seconds)
    return token


async def async_nap(payload):
    """[token, seconds] in an async handler: cancellable while it sleeps."""
    token, seconds = payload
    await asyncio.sleep(seconds)
    return token


def count(payload):
    """[token, n]: yields [token, i] for i below n."""
    token, n = payload
    for i in range(n):
        yield [token, i]


def session_child(token):
    """Starts a long sleeper in a session of its own; answers [token, its pid]."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    return [token, child.pid]


def stuck(token):
    """Never returns: a loop the host's cancel interrupts, or (odd tokens) a sleep with signals
    blocked, like a C call that ignores them, which only replacing the worker ends."""
    if token % 2:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
        time.sleep(1e9)
    while True:
        pass


def pid(_):
    return os.getpid()


if __name__ == "__main__":
    pysynapse.serve(
        {
            "echo": echo,
            "blob": blob,
            "nap": nap,
            "async_nap": async_nap,
            "count": count,
            "session_child": session_child,
            "stuck": stuck,
            "pid": pid,
        }
    )
