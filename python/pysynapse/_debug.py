"""Debugging a worker: debugpy listening for an IDE, and what breakpoint() does.

A worker's stdin carries frames, not a terminal, so pdb (the default of breakpoint()) would read
frames as commands. The bootstrap calls install_breakpoint_hook() in every worker, and start()
before the module runs when the host asked for a debugger (the builder's ``debug(...)``)::

    SYNAPSE_DEBUG_PORT    the first port to listen on; 0 for any free port
    SYNAPSE_DEBUG_PORTS   how many ports from SYNAPSE_DEBUG_PORT to try in turn (a pool's size:
                          each worker takes the first one free); default 1
    SYNAPSE_DEBUG_HOST    the address to listen on; default 127.0.0.1
    SYNAPSE_DEBUG_WAIT    "1": wait until an IDE has attached before the module runs

The port taken goes into the READY info as ``debugPort``. breakpoint() then stops in the IDE
(debugpy.breakpoint; it does nothing while no IDE is attached). Without a debugger, breakpoint()
raises a RuntimeError that says how to debug, unless PYTHONBREAKPOINT is set (then Python's own
rules apply, e.g. PYTHONBREAKPOINT=0 skips breakpoints).
"""

import os
import sys

from . import _protocol

PORT_ENV = "SYNAPSE_DEBUG_PORT"
PORTS_ENV = "SYNAPSE_DEBUG_PORTS"
HOST_ENV = "SYNAPSE_DEBUG_HOST"
WAIT_ENV = "SYNAPSE_DEBUG_WAIT"

_NO_TERMINAL = (
    "breakpoint() cannot stop here: a Synapse worker's stdin carries the host's frames, not a "
    "terminal. To debug a handler, start its workers with the builder's "
    "debug(DebugOptions.onPort(5678)), put debugpy in the module's requirements.txt, and attach "
    "VS Code or PyCharm to that port; or set PYTHONBREAKPOINT for the worker (e.g. "
    "environment(\"PYTHONBREAKPOINT\", \"0\") to skip breakpoints)."
)


class DebugError(Exception):
    """The debugger asked for cannot be started; the message says why."""


def _no_terminal(*args, **kwargs):
    raise RuntimeError(_NO_TERMINAL)


def install_breakpoint_hook(environ=None):
    """Makes breakpoint() fail with advice, unless PYTHONBREAKPOINT says what it should do."""
    environ = os.environ if environ is None else environ
    if not environ.get("PYTHONBREAKPOINT"):
        sys.breakpointhook = _no_terminal


def _ports(environ):
    try:
        first = int(environ[PORT_ENV])
        count = int(environ.get(PORTS_ENV) or "1")
    except ValueError:
        raise DebugError(
            f"{PORT_ENV}={environ.get(PORT_ENV)!r} and {PORTS_ENV}={environ.get(PORTS_ENV)!r} "
            "must be integers"
        ) from None
    if first == 0:
        return [0]
    if not 0 < first <= 65535 or count < 1:
        raise DebugError(f"no port to listen on: {PORT_ENV}={first}, {PORTS_ENV}={count}")
    return list(range(first, min(first + count, 65536)))


def start(environ=None):
    """Listens for an IDE with debugpy if the host asked for it; returns the port, or None.

    Raises DebugError if debugpy cannot be imported or no port of the range is free.
    """
    environ = os.environ if environ is None else environ
    if not environ.get(PORT_ENV):
        return None
    ports = _ports(environ)
    host = environ.get(HOST_ENV) or "127.0.0.1"
    try:
        import debugpy
    except ImportError as exc:
        raise DebugError(
            f"debugging was asked for, but {sys.executable} cannot import debugpy ({exc}): "
            "add debugpy to the module's requirements.txt"
        ) from None
    failures = []
    for port in ports:
        try:
            _, taken = debugpy.listen((host, port))
            break
        except Exception as exc:  # debugpy raises RuntimeError for a port in use
            failures.append(f"{port}: {exc}")
    else:
        raise DebugError(f"debugpy could not listen on {host}: " + "; ".join(failures))
    _protocol.READY_EXTRAS["debugPort"] = taken
    sys.breakpointhook = debugpy.breakpoint
    sys.stderr.write(f"pysynapse: debugpy listens on {host}:{taken}\n")
    if environ.get(WAIT_ENV) == "1":
        sys.stderr.write(f"pysynapse: waiting for a debugger to attach to {host}:{taken}\n")
        debugpy.wait_for_client()
    return taken
