"""Keeps the worker's descendants from outliving it, and ends the worker when its host dies.

On Linux the worker makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): a process
it started that loses its parent -- a double-forked daemon, the child of a shell that exited -- is
re-parented to the worker instead of to init, so it stays the worker's descendant, wherever its
session or process group. Such adopted orphans that exit while the worker lives stay zombies until
the worker ends (the worker cannot tell them from children whose exit status the module still
wants).

A thread polls the parent pid. When the host dies the worker is re-parented (to init or a
subreaper), the pid changes, and the worker kills all its descendants and its own process group,
then exits. When the worker exits on its own, the bootstrap calls end_group_members(), which kills
the same processes.

Polling is used rather than Linux's PR_SET_PDEATHSIG because that signal fires when the *thread*
that forked the worker exits, which in a JVM is any thread that happened to call
ProcessBuilder.start().
"""

import _thread
import os
import sys
import time

POLL_INTERVAL = 0.2
PR_SET_CHILD_SUBREAPER = 36
_KILL_ROUNDS = 10


def start(interval=POLL_INTERVAL):
    """Makes the worker its descendants' subreaper and starts the watchdog thread (a no-op on
    Windows); returns the thread's identifier, or None.

    The subreaper comes first, on the calling thread, so that it is in place before the module can
    start a process. (Done on the watchdog thread, it made the start-up no faster: the import of
    ``_ctypes`` there holds the interpreter lock while the main thread waits for it.)

    A bare ``_thread`` thread, which, like a daemon thread, does not keep the process alive: the
    threading module is not needed for it (it costs start-up time).
    """
    if os.name != "posix":
        return None
    become_subreaper()
    return _thread.start_new_thread(_watch, (os.getppid(), interval))


def _watch(parent, interval):
    while os.getppid() == parent:
        time.sleep(interval)
    _die()


def become_subreaper():
    """Makes this process the subreaper of its descendants (Linux only); returns whether it is.

    Calls prctl through ``_ctypes`` alone: importing the ``ctypes`` package costs several times as
    much, and only one C function with int arguments is needed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import _ctypes

        class _Int(_ctypes._SimpleCData):
            _type_ = "i"

        class _Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = _Int

        class _Libc:
            _handle = _ctypes.dlopen(None)

        prctl = _Function(("prctl", _Libc))
        return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except Exception:  # no prctl (another C library, a sandbox): the host's tracking remains
        return False


def _processes():
    """Every process's (pid, ppid, pgrp, state) from /proc; empty where /proc is missing."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/" + entry + "/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            # Fields after the name: state, ppid, pgrp, ...
            found.append((int(entry), int(fields[1]), int(fields[2]), fields[0]))
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return found


def _family(me):
    """The live processes to end with the worker: its descendants and its group's members."""
    processes = _processes()
    children = {}
    for pid, ppid, _pgrp, _state in processes:
        children.setdefault(ppid, []).append(pid)
    descendants, todo = set(), [me]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in descendants:
                descendants.add(child)
                todo.append(child)
    leader = os.getpgrp() == me
    return [
        pid
        for pid, _ppid, pgrp, state in processes
        if pid != me and state != b"Z" and (pid in descendants or (leader and pgrp == me))
    ]


def end_group_members():
    """Kills the processes the module started: all the worker's descendants, whatever session or
    group they moved to, and the other members of its process group.

    Called when the worker exits on its own (end of input, the module returned), so that its
    children do not outlive it even when the host is gone and cannot clean up; and when the host
    died. Repeated until none is left, since a process may fork while its family is being killed
    (its orphans come to the worker, the subreaper). Only where /proc lists processes (Linux).
    """
    if os.name != "posix" or not os.path.isdir("/proc"):
        return
    import signal

    me = os.getpid()
    for _ in range(_KILL_ROUNDS):
        family = _family(me)
        if not family:
            return
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue  # the process ended meanwhile, or is not ours to signal


def _die():
    import signal

    end_group_members()
    try:
        # Never signal a group we do not lead: it would be the host's, shared with its other
        # children.
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
    except OSError:
        pass
    os._exit(1)
