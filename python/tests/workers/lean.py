"""A worker that imports nothing but pysynapse, logs at import time if asked, and reports which
modules are loaded."""

import os
import sys

import pysynapse

if os.environ.get("LEAN_LOG_AT_IMPORT"):
    import logging

    logging.getLogger("lean").warning("at import")
    logging.getLogger("lean").debug("debug at import")


def handler(payload):
    if payload == "modules":
        return sorted(sys.modules)
    return payload


pysynapse.serve(handler)
