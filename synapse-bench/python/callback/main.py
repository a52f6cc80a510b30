"""The callback figures of synapse-bench.

``relay`` asks the host's ``answer`` function, which returns at once: Java -> Python -> Java, back to
Python, which returns (four crossings, as many as two plain round trips).

``relay_nested`` asks the host's ``back`` function, which calls ``echo`` on this worker again while
``relay_nested`` waits: Java -> Python -> Java -> Python, three levels deep (six crossings).
"""

import pysynapse
from pysynapse import host


def echo(payload):
    return payload


def relay(payload):
    return host.call("answer", payload)


def relay_nested(payload):
    return host.call("back", payload)


if __name__ == "__main__":
    pysynapse.serve({"echo": echo, "relay": relay, "relay_nested": relay_nested})
