"""The first worker to start (of those sharing the file POOL_MARKER) exits before it is ready;
the others serve."""

import os
import sys

import pysynapse

try:
    os.close(os.open(os.environ["POOL_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
except FileExistsError:
    pysynapse.serve(lambda payload: payload)
else:
    print("this worker fails on purpose", file=sys.stderr)
    sys.exit(3)
