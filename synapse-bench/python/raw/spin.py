"""The control of the pool-scaling figure: the cpu module's loop run CALLS times in a bare
interpreter, with no Synapse. Usage: spin.py LOOPS CALLS. Prints the seconds the calls took
(start-up not counted), so that one process against two at once shows how far the machine itself
scales."""

import sys
import time


def spin(loops):
    total = 0
    for i in range(loops):
        total += i * i
    return total


loops, calls = int(sys.argv[1]), int(sys.argv[2])
start = time.perf_counter()
for _ in range(calls):
    spin(loops)
print(time.perf_counter() - start)
