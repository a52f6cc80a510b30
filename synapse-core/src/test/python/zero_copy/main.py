"""The explicit zero-copy path, for ZeroCopyTest: arrays the host lends, arrays this worker makes
with pysynapse.shared."""

import os

import numpy as np

import pysynapse
from pysynapse import ExtType, _codec, shared

_kept = []


def inspect(array):
    """What the handler received: a view of shared memory, or a copy."""
    return {
        "type": type(array).__module__ + "." + type(array).__qualname__,
        "writeable": bool(array.flags.writeable),
        "owndata": bool(array.flags.owndata),
        "base": type(array.base).__name__,
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "sum": float(array.sum()),
    }


def add_one(array):
    array += 1


def fill(request):
    """Writes ``value`` into every element of the arrays in ``arrays``."""
    for array in request["arrays"]:
        array[...] = request["value"]
    return len(request["arrays"])


def keep(array):
    _kept.append(array)


def kept_writeable(_):
    return [bool(array.flags.writeable) for array in _kept]


def write_kept(_):
    """Tries to write the arrays kept from earlier calls; the error's type if it is refused."""
    try:
        _kept[-1][...] = -1
    except ValueError as exc:
        return type(exc).__name__ + ": " + str(exc)
    return "written"


def make(spec):
    """A pysynapse.shared array of ``shape`` and ``dtype``, element i being i."""
    array = shared.empty(spec["shape"], spec.get("dtype", "f8"))
    array.reshape(-1)[:] = np.arange(array.size, dtype=array.dtype)
    return array


def make_many(spec):
    """Shared arrays in a list and a dict, and whether each was a view when made."""
    first, second = make(spec), make(spec)
    return {"list": [first], "dict": {"second": second}, "made_shared": shared.is_shared(first)}


def make_and_drop(spec):
    """Makes arrays that are never returned: their blocks must come back to this worker."""
    for _ in range(spec["count"]):
        array = shared.empty(spec["shape"], "f8")
        array[...] = 1
    return shared.is_shared(shared.empty(spec["shape"], "f8"))


def returned_is_read_only(spec):
    """Returns a shared array and remembers it; see kept_writeable."""
    array = make(spec)
    _kept.append(array)
    return array


def bad_view(spec):
    """A hand-made view reference (ext 3) whose body is ``spec`` encoded."""
    return ExtType(3, bytes(_codec.encode(spec)))


def fill_then_exit(array):
    """Writes 5 into the lent array, then dies before answering."""
    array[...] = 5
    os._exit(3)


def exit_now(_):
    os._exit(3)


if __name__ == "__main__":
    pysynapse.serve(
        {
            name: function
            for name, function in globals().items()
            if callable(function) and not name.startswith("_") and function.__module__ == "__main__"
        }
    )
