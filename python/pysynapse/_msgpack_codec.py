"""The MessagePack codec over the ``msgpack`` package (>= 1.0, its C extension): the same bytes and
values as the pure codec (_fallback), to which it hands large ndarrays, values nested deeper than
msgpack's own limit and large ext values. Importing it raises ImportError without a suitable
msgpack. See _codec for the contract.
"""

import msgpack as _msgpack  # first: without msgpack this module stops here, having imported nothing

import datetime as _dt  # msgpack has imported it
from _functools import partial  # functools itself is not needed at start-up

from . import _arrow, _ndarray, _shm
from ._fallback import (
    _EXTRA,
    _FRAME_DEPTH,
    _INT_RANGE,
    _OUT_OF_RANGE,
    _REFERENCE_BYTES,
    _UNHASHABLE,
    _too_deep,
    _unsupported,
    _utc_datetime,
    ndarray_parts,
    ndarray_value,
    pure_decode,
    pure_encode,
    pure_encode_body,
    shared_value,
    use_ext_type,
)

if getattr(_msgpack, "version", (0,)) < (1, 0, 0):
    raise ImportError("msgpack older than 1.0 lacks the datetime options and has other defaults")

NAME = "msgpack"
ExtType = _msgpack.ExtType
use_ext_type(ExtType)

# An ndarray at least this large makes the msgpack encoder hand the value to pure_encode, which
# copies the array's bytes once instead of three times (into an ExtType, msgpack's buffer, and the
# bytes that packb returns); the two produce the same bytes. Likewise an ext value this large makes
# the msgpack decoder stop (max_ext_len) and hand the frame to pure_decode, which copies an
# array's bytes once, into the array, instead of twice (msgpack's bytes first).
_PURE_ARRAY_BYTES = 1024 * 1024


class _LargeArray(Exception):
    """Raised inside msgpack's packb to switch to pure_encode (a large array, an Arrow table, or a
    value nested deeper than msgpack's limit, which the pure encoder takes up to the frame's
    limit)."""


def _msgpack_default(obj):
    """Called by msgpack for what it cannot pack itself; gives the same errors as pure_encode."""
    if isinstance(obj, _dt.datetime):
        return _utc_datetime(obj)
    if isinstance(obj, int):  # msgpack hands over ints that do not fit in 64 bits
        raise OverflowError(_INT_RANGE)
    numpy = _ndarray.loaded_numpy()
    if numpy is not None:
        if isinstance(obj, numpy.ndarray):
            large = obj.nbytes >= _PURE_ARRAY_BYTES or obj.nbytes >= _shm.threshold
            if large or _shm.is_owned(obj):  # an array of pysynapse.shared goes as a view
                raise _LargeArray
            header, data = ndarray_parts(obj)
            return _msgpack.ExtType(_ndarray.EXT_CODE, header + data)  # msgpack wants bytes
        if isinstance(obj, numpy.generic):
            return _ndarray.scalar_value(obj)
    if _arrow.encodes(obj):  # the pure encoder writes the IPC stream without copying it again
        raise _LargeArray
    raise _unsupported(obj)


def _msgpack_ext_hook(code, data):
    """Called by msgpack for every ext value but timestamps."""
    if code == _ndarray.EXT_CODE:
        return ndarray_value(data)
    if code == _arrow.EXT_CODE:
        return _arrow.table_value(data)
    if code == _shm.EXT_CODE:
        return shared_value(data)
    return _msgpack.ExtType._make((code, data))  # any code: -128..-2 too, unchecked


def _check_depth(value):
    """Raises the pure decoder's error if ``value`` nests deeper than a frame may; iterative."""
    level, depth = [value], 0
    containers = (list, dict)
    while level:
        below = []
        for container in level:
            if type(container) is dict:
                container = container.values()
            elif type(container) is not list:
                continue
            if depth >= _FRAME_DEPTH:
                raise _too_deep()
            kinds = set(map(type, container))
            if list in kinds or dict in kinds:
                below.extend(item for item in container if type(item) in containers)
        level = below
        depth += 1


# msgpack Packers not in use; one is taken for each encoding (threads may encode at once).
_packers = []
# A Packer keeps its buffer as large as the largest value it packed: one that packed more than
# this is dropped rather than kept.
_PACKER_KEPT_BYTES = 1024 * 1024


def _pack(obj):
    try:
        packer = _packers.pop()
    except IndexError:
        packer = _msgpack.Packer(use_bin_type=True, datetime=True, default=_msgpack_default)
    try:
        data = packer.pack(obj)  # on an exception the packer is reset and dropped
    except ValueError as exc:
        if str(exc).startswith("recursion limit"):  # msgpack's own limit, below the frame's
            raise _LargeArray from None
        raise
    if len(data) <= _PACKER_KEPT_BYTES:
        _packers.append(packer)
    return data


def _large_last_item(obj):
    """Whether ``obj`` is a list whose last item is a large bin value (a RESULT of bytes...)."""
    if type(obj) is not list or not obj:
        return False
    value = obj[-1]
    kind = type(value)
    if kind is bytes or kind is bytearray:
        return len(value) >= _REFERENCE_BYTES
    if kind is ExtType:  # the pure encoder may put its body in shared memory
        return len(value.data) >= _REFERENCE_BYTES
    return kind is memoryview and value.nbytes >= _REFERENCE_BYTES


def encode(obj):
    """Encodes ``obj``; returns bytes (a bytearray for a value holding a large ndarray)."""
    try:
        return _pack(obj)
    except _LargeArray:
        return pure_encode(obj)


def _holds_shared_value(obj, size):
    """Whether a bin or ext value of at least ``size`` bytes is inside the containers of ``obj``
    (msgpack packs bytes itself, never asking _msgpack_default, so only a walk finds them)."""
    level = [obj]
    while level:
        below = []
        for container in level:
            items = [*container, *container.values()] if isinstance(container, dict) else container
            for kind in set(map(type, items)):
                if issubclass(kind, _BINARY_KINDS):
                    if any(_bin_size(item) >= size for item in items if type(item) is kind):
                        return True
                elif issubclass(kind, _CONTAINER_KINDS):
                    below.extend(item for item in items if type(item) is kind)
        level = below
    return False


_BINARY_KINDS = (bytes, bytearray, memoryview, ExtType)  # before tuple: an ExtType is one
_CONTAINER_KINDS = (list, tuple, dict)


def _bin_size(value):
    if isinstance(value, ExtType):
        return len(value.data)
    return value.nbytes if isinstance(value, memoryview) else len(value)


def encode_body(obj):
    """Encodes ``obj`` like encode(), as a Chunks when it holds large values (see above)."""
    if not _large_last_item(obj):
        try:
            data = _pack(obj)
        except _LargeArray:
            pass
        else:
            # Only a frame at least as large as the threshold can hold a value for the region.
            if len(data) < _shm.threshold or not _holds_shared_value(obj, _shm.threshold):
                return data
    return pure_encode_body(obj)

_unpackb = partial(
    _msgpack.unpackb,
    raw=False,
    strict_map_key=False,
    timestamp=3,
    ext_hook=_msgpack_ext_hook,
    max_ext_len=_PURE_ARRAY_BYTES - 1,
)

def decode(data):
    """Decodes one MessagePack value that fills all of ``data`` (any bytes-like object)."""
    try:
        value = _unpackb(data)
    except _msgpack.ExtraData as exc:
        raise ValueError(_EXTRA.format(len(exc.extra))) from None
    except _msgpack.StackError:
        raise _too_deep() from None
    except OverflowError:  # a timestamp outside the range of datetime
        raise ValueError(_OUT_OF_RANGE) from None
    except TypeError as exc:  # an array or a map as a map key
        raise ValueError(_UNHASHABLE.format(exc)) from None
    except _msgpack.FormatError:
        raise ValueError("invalid MessagePack type byte 0xc1") from None
    except ValueError:  # among others "... exceeds max_ext_len": a large ext value
        if len(data) < _PURE_ARRAY_BYTES:
            raise
        return pure_decode(data)
    if len(data) > _FRAME_DEPTH:  # msgpack's own limit is above the frame's
        _check_depth(value)
    return value
