"""Large values through shared memory, for SharedMemory*Test."""

import os
import time

import pysynapse
from pysynapse import ExtType, _codec


def echo(value):
    return value


def kind(value):
    """The Python type the handler received, and its length."""
    size = value.nbytes if hasattr(value, "nbytes") else len(value)
    return [type(value).__module__ + "." + type(value).__qualname__, size]


def double(array):
    return array * 2


_kept = []


def keep(array):
    """Keeps ``array`` after the call; says whether it views memory it does not own, in place."""
    _kept.append(array)
    return {
        "owndata": bool(array.flags.owndata),
        "writeable": bool(array.flags.writeable),
        "aligned": array.ctypes.data % 64 == 0,
    }


def let_go(_):
    """Lets go of the arrays kept."""
    del _kept[:]


def kept(_):
    """The first array kept, as it is now."""
    return _kept[0]


async def echo_async(value):
    return value


def double_in_place(array):
    array *= 2
    return array


def block_message(spec):
    """Sends a hand-made KEPT or DROPPED naming ``blocks``, then answers."""
    from pysynapse import _shm

    _shm._tell_host([spec["type"], spec["blocks"]])
    return "sent"


def make_bytes(spec):
    """``n`` bytes, byte i being (i * 7 + seed) % 251."""
    n, seed = spec["n"], spec.get("seed", 0)
    pattern = bytes((i * 7 + seed) % 251 for i in range(251))
    return (pattern * (n // 251 + 1))[:n]


def slow_echo(request):
    time.sleep(request["seconds"])
    return request["value"]


def exit_now(_):
    os._exit(3)


def write_then_die(n):
    """Places n bytes in shared memory, then dies before the answer is sent."""
    _codec.encode_body([1, 0, b"\xee" * n])
    os._exit(4)


def bad_reference(spec):
    """A hand-made reference (ext 3) whose body is ``spec`` encoded."""
    return ExtType(3, bytes(_codec.encode(spec)))


def announce(spec):
    """Sends PLACING for each size in ``announced`` (sizes that may be wrong), then answers
    ``n`` bytes as make_bytes does."""
    from pysynapse import _shm

    for size in spec["announced"]:
        _shm._tell_host([_shm.PLACING, size])
    return make_bytes(spec)


def region_files(_):
    """The paths of files this worker still has open under /dev/shm (none: it unlinks at once)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "synapse-" in target:
            found.append(target)
    return found


if __name__ == "__main__":
    pysynapse.serve(
        {
            name: function
            for name, function in globals().items()
            if callable(function) and not name.startswith("_") and function.__module__ == "__main__"
        }
    )
