"""The callback figure of synapse-bench: ``relay`` asks the host's ``back`` function, which calls
``echo`` on this worker again while ``relay`` waits (Java -> Python -> Java -> Python)."""

import pysynapse
from pysynapse import host


def echo(payload):
    return payload


def relay(payload):
    return host.call("back", payload)


if __name__ == "__main__":
    pysynapse.serve({"echo": echo, "relay": relay})
