"""Starts processes that try to outlive the worker, and crashes the worker."""
import os
import signal
import subprocess
import sys

import pysynapse

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def session_child(_):
    """A child in a session of its own (setsid): outside the worker's process group."""
    return subprocess.Popen(SLEEPER, start_new_session=True).pid


def daemon(_):
    """A double-forked daemon: its parent exits at once, so it is orphaned, in its own session."""
    read_end, write_end = os.pipe()
    intermediate = os.fork()
    if intermediate == 0:
        os.setsid()
        grandchild = os.fork()
        if grandchild == 0:
            os.execv(SLEEPER[0], SLEEPER)
        os.write(write_end, str(grandchild).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(intermediate, 0)
    with os.fdopen(read_end, "rb") as pipe:
        return int(pipe.read())


def parent_of(pid):
    with open("/proc/%d/stat" % pid, "rb") as stat:
        return int(stat.read().rsplit(b")", 1)[1].split()[1])


def session_child_then_die(path):
    """Starts a child in a session of its own, writes its pid to ``path``, and dies at once: no
    snapshot of the worker's descendants can have seen the child."""
    pid = subprocess.Popen(SLEEPER, start_new_session=True).pid
    with open(path, "w") as out:
        out.write(str(pid))
    os.kill(os.getpid(), signal.SIGKILL)


def kill_self(_):
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    pysynapse.serve(
        {"session_child": session_child, "daemon": daemon, "parent_of": parent_of,
         "kill_self": kill_self, "session_child_then_die": session_child_then_die}
    )
