"""Starts a child process, writes "<own pid> <child pid>" to argv[1], then waits on stdin."""

import os
import subprocess
import sys

child = subprocess.Popen(["sleep", "60"])
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(f"{os.getpid()} {child.pid}")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
sys.stdin.buffer.read()
