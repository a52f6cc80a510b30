"""numpy arrays and scalars for NDArray*Test.

With ARRAYS_HIDE_NUMPY=1 in the environment, ``import numpy`` fails in this worker, as on an
interpreter without numpy (pysynapse imports numpy lazily, so hiding it here is early enough).
"""

import datetime
import os
import sys

if os.environ.get("ARRAYS_HIDE_NUMPY") == "1":
    sys.modules["numpy"] = None

import pysynapse
from pysynapse import _codec


def _np():
    import numpy

    return numpy


def echo(value):
    return value


def describe(value):
    """What the handler received."""
    kind = type(value).__module__ + "." + type(value).__qualname__
    if kind != "numpy.ndarray":
        return {"type": kind, "value": value}
    return {
        "type": kind,
        "dtype": value.dtype.str,
        "shape": list(value.shape),
        "writeable": bool(value.flags.writeable),
        "c_contiguous": bool(value.flags.c_contiguous),
        "owndata": bool(value.flags.owndata),
        "bytes": value.tobytes(),
    }


def make(spec):
    """[array, its bytes in C order, little-endian] for spec {dtype, shape, layout, seed}.

    layout: "C", "F" (Fortran order), "strided" (a[::2, 1:] of a larger array), "transposed",
    "big-endian" (the dtype's big-endian twin, also strided).
    """
    np = _np()
    dtype = np.dtype(spec["dtype"])
    shape = tuple(spec["shape"])
    layout = spec.get("layout", "C")
    rng = np.random.default_rng(spec.get("seed", 0))
    base_shape = shape
    if layout == "strided" or layout == "big-endian":
        base_shape = (shape[0] * 2, shape[1] + 1) + shape[2:]
    elif layout == "transposed":
        base_shape = shape[::-1]
    count = int(np.prod(base_shape, dtype=np.int64))
    if dtype.kind == "b":
        base = rng.integers(0, 2, size=base_shape).astype(bool)
    else:
        base = np.frombuffer(rng.bytes(count * dtype.itemsize), dtype=dtype).reshape(base_shape)
    if layout == "C":
        array = base.copy()
    elif layout == "F":
        array = np.asfortranarray(base)
    elif layout == "strided":
        array = base[::2, 1:]
    elif layout == "transposed":
        array = base.T
    elif layout == "big-endian":
        array = base.astype(dtype.newbyteorder(">"))[::2, 1:]
    else:
        raise ValueError(f"unknown layout {layout!r}")
    little = dtype.newbyteorder("<")
    return [array, np.ascontiguousarray(array, dtype=little).tobytes(), list(array.shape)]


def reorder(request):
    """The received array in another layout: {"array": a, "layout": "F" | "strided" | "T"}."""
    np = _np()
    array, layout = request["array"], request["layout"]
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        return array[::2, 1:]
    if layout == "T":
        return array.T
    raise ValueError(f"unknown layout {layout!r}")


def add_in_place(array):
    array += 1  # received arrays are writable
    return array


def scalars(_):
    np = _np()
    return {
        "float32": np.float32(1.5),
        "float16": np.float16(0.1),
        "float64": np.float64(0.1),
        "int64": np.int64(-3),
        "uint64": np.uint64(2**64 - 1),
        "uint8": np.uint8(200),
        "bool": np.bool_(True),
        "datetime64": np.datetime64("2024-02-29T12:34:56.789012"),
        "datetime": datetime.datetime(2024, 2, 29, 12, 34, 56, tzinfo=datetime.timezone.utc),
        "naive_datetime": datetime.datetime(2024, 2, 29, 12, 34, 56),
        "zero_d": np.array(2.5),
        "sum": np.arange(4).sum(),
    }


def half_table(_):
    """Every float16 bit pattern and numpy's float32 value of each."""
    np = _np()
    halves = np.arange(65536, dtype=np.uint16).view(np.float16)
    return [halves, halves.astype(np.float32)]


def unsupported(kind):
    np = _np()
    return {
        "complex": np.array([1 + 2j]),
        "object": np.array([object()]),
        "text": np.array(["a", "b"]),
        "datetime64": np.array(["2024-01-01"], dtype="datetime64[D]"),
    }[kind]


def encoded(value):
    """The MessagePack bytes pysynapse's codec makes of ``value``."""
    return bytes(_codec.encode(value))


def filled(request):
    """A float64 array of ``n`` elements i * 0.5."""
    np = _np()
    return np.arange(request["n"], dtype=np.float64) * 0.5


def checksum(array):
    """[dtype, shape, sum, first, last] of a received float64 array."""
    flat = array.reshape(-1)
    return [array.dtype.str, list(array.shape), float(flat.sum()), float(flat[0]), float(flat[-1])]


def numpy_loaded(_):
    return "numpy" in sys.modules and sys.modules["numpy"] is not None


if __name__ == "__main__":
    pysynapse.serve(
        {
            name: function
            for name, function in globals().items()
            if callable(function) and not name.startswith("_") and function.__module__ == "__main__"
        }
    )
