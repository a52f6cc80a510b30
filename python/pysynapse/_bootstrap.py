"""Starts a worker: ``python -X faulthandler -m pysynapse._bootstrap DIR/ENTRY.py [ARGS...]``.

Prepares the process as docs/protocol.md ("Start-up") describes, in this order: the frame streams
moved off fds 0 and 1, ``sys.stdout`` split into text (stderr) and frames (``.buffer``), and
``sys.stdin`` armed to send the legacy READY frame before the module's first read of it; the
logging handler on the root logger; faulthandler; a process group of its own and the parent-death
watchdog. Then it runs ENTRY.py as ``__main__`` with DIR first on ``sys.path``. If the module
raises, the traceback goes to stderr as ERROR log lines and the exit code is 1; SystemExit keeps
its meaning. However the module ends, the processes it started in the worker's group end with it.
"""

import faulthandler
import os
import runpy
import sys
import traceback

from pysynapse import _codec, _logging, _protocol, _stdio, _watchdog


def _send_legacy_ready():
    frames = _stdio.frame_stream()
    frames.write(_protocol.frame(_codec.encode(_protocol.ready_message("legacy", []))))
    frames.flush()


def _script_traceback(exc):
    """The traceback of ``exc`` from the script's first frame on (runpy's and ours left off)."""
    tb = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == __file__
        or tb.tb_frame.f_globals.get("__name__") == "runpy"
    ):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


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

    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:
        text = _script_traceback(exc)
        sys.stderr.write(_logging.prefixed("ERROR", "pysynapse", text) + "\n")
        sys.stderr.flush()
        return 1
    finally:
        _watchdog.end_group_members()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
