"""numpy arrays and scalars on the wire: the numpy side of the "ndarray" ext type (code 1).

::

    encode: ndarray ──(little-endian, C order: copied only if it is not so already)──► dtype, shape,
            raw bytes ──► _codec: ext 1 = MessagePack [dtype, shape] + raw bytes
    decode: ext 1 ──► _codec checks the header ──► build(): a new writable ndarray,
            or {"dtype", "shape", "data"} when numpy cannot be imported

docs/protocol.md specifies the format. numpy is never imported here to encode: an object can only
be a numpy array or scalar if numpy is in ``sys.modules`` already. It is imported the first time an
ndarray ext value is decoded, and only then, so workers that do not use arrays start as fast as
before.
"""

import sys

__all__ = ["EXT_CODE", "ITEM_SIZES", "build", "export", "numpy_module", "scalar_value"]

EXT_CODE = 1

# The type strings of the format (numpy's ``dtype.str`` of a little-endian dtype) and their sizes.
ITEM_SIZES = {
    "|b1": 1,
    "|i1": 1,
    "<i2": 2,
    "<i4": 4,
    "<i8": 8,
    "|u1": 1,
    "<u2": 2,
    "<u4": 4,
    "<u8": 8,
    "<f2": 2,
    "<f4": 4,
    "<f8": 8,
}
_SUPPORTED = "bool, int8..int64, uint8..uint64, float16, float32, float64"

_NOT_LOADED = object()
_numpy = _NOT_LOADED


def numpy_module():
    """numpy, imported on first use, or None if it cannot be imported (the result is kept)."""
    global _numpy
    if _numpy is _NOT_LOADED:
        try:
            import numpy
        except ImportError:
            numpy = None
        _numpy = numpy
    return _numpy


def loaded_numpy():
    """numpy if some code has imported it already, else None; never imports it."""
    return sys.modules.get("numpy")


def _type_name(obj):
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def export(array):
    """``(type string, shape list, memoryview of the raw bytes)`` of the ndarray ``array``.

    The bytes are those of a little-endian C-ordered copy, made only when ``array`` is not one
    already (a Fortran-ordered array, a strided view, a big-endian dtype). Raises TypeError for a
    dtype outside the format and for masked arrays, whose mask would be lost.
    """
    np = loaded_numpy()
    if type(array).__module__.startswith("numpy.ma"):
        raise TypeError(
            f"cannot encode object of type {_type_name(array)!r}: "
            "the mask would be lost; send .filled(...) or .compressed() instead"
        )
    dtype = array.dtype
    little = dtype.newbyteorder("<")
    type_string = little.str
    # The equality check refuses dtypes that only look alike (structured ones, bfloat16...).
    if type_string not in ITEM_SIZES or little != np.dtype(type_string):
        raise TypeError(
            f"cannot encode object of type {_type_name(array)!r} with dtype {dtype}: "
            f"supported dtypes are {_SUPPORTED}"
        )
    array = np.asarray(array, dtype=little, order="C")  # no copy when it already is so
    data = memoryview(array.reshape(-1).view(np.uint8))
    return type_string, [int(n) for n in array.shape], data


def scalar_value(value):
    """The plain Python value of the numpy scalar ``value``; TypeError for other kinds.

    bool_ becomes bool, integers int, floats float (exactly: float16 and float32 values are doubles
    too), datetime64 an aware UTC datetime (truncated to microseconds; NaT becomes None).
    """
    np = loaded_numpy()
    if isinstance(value, np.datetime64):
        import datetime  # numpy has imported it

        moment = value.astype("datetime64[us]").item()
        if moment is None or isinstance(moment, datetime.datetime):
            return moment if moment is None else moment.replace(tzinfo=datetime.timezone.utc)
    elif isinstance(value, np.timedelta64):  # an integer subclass in numpy
        pass
    elif isinstance(value, (np.bool_, np.integer)) or (
        isinstance(value, np.floating) and value.dtype.itemsize <= 8
    ):
        return value.item()
    raise TypeError(f"cannot encode object of type {_type_name(value)!r}")


def build(type_string, shape, data):
    """The decoded value of an ndarray ext: a writable C-ordered ndarray that owns its memory, or,
    when numpy cannot be imported, ``{"dtype": type_string, "shape": shape, "data": bytes}``.

    ``data`` is a bytes-like object whose length the caller has checked against dtype and shape.
    """
    from . import _split_copy  # not at start-up: a worker that never gets an array needs none

    np = numpy_module()
    if np is None:
        return {"dtype": type_string, "shape": shape, "data": _split_copy.to_bytes(data)}
    array = np.empty(shape, dtype=type_string)
    if array.size:
        _split_copy.copy_into(array.reshape(-1).view(np.uint8), data)
    return array
