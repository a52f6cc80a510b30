"""A worker on an interpreter without pyarrow: a table sent to it is refused, the worker lives on."""

import sys

import pysynapse


def has_pyarrow(_):
    return "pyarrow" in sys.modules


def echo(value):
    return value


pysynapse.serve({"echo": echo, "has_pyarrow": has_pyarrow})
