"""Answers every call with its input: the module behind the round-trip, concurrency, allocation
and spawn figures of synapse-bench."""

import pysynapse


def echo(payload):
    return payload


if __name__ == "__main__":
    pysynapse.serve(echo)
