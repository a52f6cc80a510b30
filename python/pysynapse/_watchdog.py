"""Ends the worker when its host process dies.

A daemon thread polls the parent pid. When the host dies the worker is re-parented (to init or a
subreaper), the pid changes, and the worker kills its own process group, taking any children it
started along, or just exits if it does not lead a group.

Polling is used rather than Linux's PR_SET_PDEATHSIG because that signal fires when the *thread*
that forked the worker exits, which in a JVM is any thread that happened to call
ProcessBuilder.start().
"""

import _thread
import os
import time

POLL_INTERVAL = 0.2


def start(interval=POLL_INTERVAL):
    """Starts the watchdog thread (a no-op on Windows); returns its identifier, or None.

    A bare ``_thread`` thread, which, like a daemon thread, does not keep the process alive: the
    threading module is not needed for it (it costs start-up time).
    """
    if os.name != "posix":
        return None
    return _thread.start_new_thread(_watch, (os.getppid(), interval))


def _watch(parent, interval):
    while os.getppid() == parent:
        time.sleep(interval)
    _die()


def end_group_members():
    """Kills the other processes of the worker's process group: the children the module started.

    Called when the worker exits on its own (end of input, the module returned), so that its
    children do not outlive it even when the host is gone and cannot clean up. Only on Linux, where
    /proc lists the group's members, and only when the worker leads its group.
    """
    me = os.getpid()
    if os.name != "posix" or os.getpgrp() != me or not os.path.isdir("/proc"):
        return
    import signal

    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) == me:  # fields after the name: state, ppid, pgrp, ...
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile, or is not ours to signal


def _die():
    import signal

    try:
        # Never signal a group we do not lead: it would be the host's, shared with its other
        # children.
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
    except OSError:
        pass
    os._exit(1)
