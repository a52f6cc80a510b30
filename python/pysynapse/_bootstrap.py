"""Starts a worker. The host runs::

    python -X faulthandler -c "<LAUNCH_CODE>" DIR/ENTRY.py [ARGS...]

``LAUNCH_CODE`` (below) drops the current directory that ``-c`` puts first on ``sys.path`` before
it imports anything, imports this module from the copy of pysynapse on ``PYTHONPATH`` and calls
main(). (``python -m pysynapse._bootstrap DIR/ENTRY.py`` works too, but ``-m`` imports runpy and
its helpers, a fair part of the start-up time, and puts the current directory first while it
imports this module.)

Prepares the process as docs/protocol.md ("Start-up") describes, in this order: the frame streams
moved off fds 0 and 1, ``sys.stdout`` split into text (stderr) and frames (``.buffer``), and
``sys.stdin`` armed to send the legacy READY frame before the module's first read of it; the
logging handler on the root logger; faulthandler; a process group of its own and the parent-death
watchdog; breakpoint() made to say how to debug, or debugpy listening for an IDE (_debug). Then it
runs ENTRY.py as ``__main__`` with DIR first on ``sys.path``. If the module raises, the traceback
goes to stderr as ERROR log lines and the exit code is 1; SystemExit keeps its meaning. However the
module ends, the processes it started in the worker's group end with it.

ENTRY.py is run the way ``runpy.run_path()`` runs a file, by _run_script(), which does not import
runpy or pkgutil.
"""

import faulthandler
import io
import marshal
import os
import sys
import types

from pysynapse import _bytecode, _codec, _debug, _logging, _protocol, _stdio, _watchdog

# What the host passes to ``python -c``: only the built-in sys module is imported before the empty
# entry (the current directory) leaves sys.path, so nothing is imported from there.
LAUNCH_CODE = (
    "import sys;sys.path[:1]=[p for p in sys.path[:1] if p];"
    "from pysynapse._bootstrap import main;sys.exit(main(sys.argv[1:]))"
)


def _send_legacy_ready():
    frames = _stdio.frame_stream()
    frames.write(_protocol.frame(_codec.encode(_protocol.ready_message("legacy", []))))
    frames.flush()


def _script_traceback(exc):
    """The traceback of ``exc`` from the script's first frame on (ours left off)."""
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _script_code(path):
    """The code object of the file at ``path``: compiled Python, or source compiled as ``path``."""
    with io.open_code(os.path.abspath(path)) as file:
        data = file.read()
    if data[:4] == _bytecode.magic_number():
        return marshal.loads(memoryview(data)[16:])  # after the header of a .pyc file
    entry = _bytecode.script_entry(path, data)
    code = _bytecode.load_script(entry)
    if code is None:
        code = compile(data, path, "exec")
        _bytecode.store_script(entry, code)
    return code


def _run_script(path):
    """Runs the file at ``path`` as ``__main__``, as ``runpy.run_path(path, run_name="__main__")``
    does: in a fresh module that stands in for ``__main__`` in ``sys.modules`` meanwhile, with
    ``sys.argv[0]`` set to ``path``.
    """
    path = os.fsdecode(path)
    code = _script_code(path)
    module = types.ModuleType("__main__")
    module.__dict__.update(
        __file__=path, __cached__=None, __loader__=None, __package__="", __spec__=None
    )
    saved_main, saved_argv0 = sys.modules.get("__main__"), sys.argv[0]
    sys.modules["__main__"] = module
    sys.argv[0] = path
    try:
        exec(code, module.__dict__)
    finally:
        sys.argv[0] = saved_argv0
        if saved_main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = saved_main


def main(argv):
    if not argv:
        sys.stderr.write("usage: python -m pysynapse._bootstrap DIR/ENTRY.py [ARGS...]\n")
        return 2
    script = argv[0]
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(line_buffering=True)  # the default only from Python 3.9 on
    _stdio.install()
    _stdio.arm_legacy(_send_legacy_ready)
    _logging.install()
    faulthandler.enable(file=sys.stderr)
    try:
        os.setpgrp()
    except (AttributeError, OSError):  # not POSIX, or already a session leader
        pass
    _watchdog.start()
    _debug.install_breakpoint_hook()
    try:
        _debug.start()
    except _debug.DebugError as exc:
        sys.stderr.write(_logging.prefixed("ERROR", "pysynapse", str(exc)) + "\n")
        sys.stderr.flush()
        # Out at once, without the interpreter's finalization: the watchdog thread may still be
        # starting, and a thread that starts while the interpreter finalizes can crash it (a
        # worker exited with SIGSEGV here under Python 3.11).
        os._exit(1)

    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        _run_script(script)
    except SystemExit:
        raise
    except BaseException as exc:
        text = _script_traceback(exc)
        sys.stderr.write(_logging.prefixed("ERROR", "pysynapse", text) + "\n")
        sys.stderr.flush()
        return 1
    finally:
        _watchdog.end_group_members()
        _bytecode.cache_own_bytecode()
        _bytecode.prune_scripts()
    return 0


if __name__ == "__main__":  # python -m pysynapse._bootstrap: drop the directory -m put first
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    sys.exit(main(sys.argv[1:]))
