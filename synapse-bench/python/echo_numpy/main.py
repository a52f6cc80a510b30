"""The echo module with a heavy import, for the spawn figure of a realistic module: its floor is a
bare interpreter that imports numpy too (raw/bare_ready.py numpy)."""

import numpy  # noqa: F401  (imported for its start-up cost only)
import pysynapse


def echo(payload):
    return payload


if __name__ == "__main__":
    pysynapse.serve(echo)
