"""The pure-Python MessagePack codec: what _codec uses when the ``msgpack`` package is missing,
and what the msgpack codec hands large arrays and deep values to. See _codec for the contract.
"""

import struct
from collections import namedtuple

from . import _arrow, _ndarray, _shm

NAME = "pure"

_datetime_module = None  # imported when a value first needs it
_epoch = None  # 1970-01-01 UTC, made with the first timestamp
_INT_RANGE = "integer out of MessagePack range (-2**63 .. 2**64-1)"

# A value may nest arrays and maps at most MAX_DEPTH levels deep ([1] is 1 level, [[1]] 2; ext
# values count as scalars). A frame's value is the envelope array around such a value, one level
# more. Both codecs refuse deeper values, encoding and decoding, with recursion bounded by it.
MAX_DEPTH = 512
_FRAME_DEPTH = MAX_DEPTH + 1


def _too_deep():
    return ValueError(
        f"the value nests arrays and maps more than {MAX_DEPTH} levels deep "
        "(or contains itself), the limit of the Synapse protocol"
    )


def type_name(cls):
    """``module.QualName`` of a class, or just the name for a builtin ("ValueError", "set")."""
    module = getattr(cls, "__module__", None)
    name = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", repr(cls))
    if not module or module == "builtins":
        return name
    return module + "." + name


def _unsupported(obj):
    return TypeError(f"cannot encode object of type {type_name(type(obj))!r}")


def _datetime():
    """The datetime module, imported by the first timestamp or object that no other encoder takes,
    not at start-up (it is a large part of a worker's start without msgpack)."""
    global _datetime_module
    if _datetime_module is None:
        import datetime

        _datetime_module = datetime
    return _datetime_module


def _epoch_utc():
    """1970-01-01 UTC."""
    global _epoch
    if _epoch is None:
        datetime = _datetime()
        _epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return _epoch


def _utc_datetime(value):
    """An exact ``datetime`` with a tzinfo: naive values are taken as UTC, subclasses converted."""
    _dt = _datetime()
    if type(value) is not _dt.datetime:
        value = _dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value




class ExtType(namedtuple("ExtType", "code data")):
    """A MessagePack ext value this codec does not interpret: ``code`` 0..127 and its bytes."""

    __slots__ = ()

    def __new__(cls, code, data):
        if not isinstance(code, int):
            raise TypeError(f"ext code must be an int, got {type_name(type(code))!r}")
        if not isinstance(data, bytes):
            raise TypeError(f"ext data must be bytes, got {type_name(type(data))!r}")
        if not 0 <= code <= 127:
            raise ValueError(f"ext code must be in 0..127, got {code}")
        return super().__new__(cls, code, data)


def use_ext_type(cls):
    """Makes ``cls`` (msgpack's ExtType, when that codec is selected) the class ext values decode
    to here, and encodes it as an ext value, so that both codecs share one ExtType."""
    global ExtType
    ExtType = cls
    _ENCODERS[cls] = _pack_ext
    _SUBCLASS_ENCODERS.insert(0, (cls, _pack_ext))


# -------------------------------------------------------------------------------------------------
# Pure-Python encoder. Every encoder appends the encoding of one value to a bytearray; containers
# look their items' encoders up by exact type and fall back to isinstance checks (in msgpack's
# order) for subclasses.

_B_U8 = struct.Struct(">BB").pack
_B_U16 = struct.Struct(">BH").pack
_B_U32 = struct.Struct(">BI").pack
_B_U64 = struct.Struct(">BQ").pack
_B_I8 = struct.Struct(">Bb").pack
_B_I16 = struct.Struct(">Bh").pack
_B_I32 = struct.Struct(">Bi").pack
_B_I64 = struct.Struct(">Bq").pack
_B_F64 = struct.Struct(">Bd").pack
_EXT8 = struct.Struct(">BBb").pack
_EXT16 = struct.Struct(">BHb").pack
_EXT32 = struct.Struct(">BIb").pack
_TS32 = struct.Struct(">BbI").pack
_TS64 = struct.Struct(">BbQ").pack
_TS96 = struct.Struct(">BBbIq").pack
_FIXEXT = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}


def _pack_nil(obj, out, depth):
    out.append(0xC0)


def _pack_bool(obj, out, depth):
    out.append(0xC3 if obj else 0xC2)


def _pack_int(obj, out, depth):
    if obj >= 0:
        if obj < 0x80:
            out.append(obj)
        elif obj <= 0xFF:
            out += _B_U8(0xCC, obj)
        elif obj <= 0xFFFF:
            out += _B_U16(0xCD, obj)
        elif obj <= 0xFFFFFFFF:
            out += _B_U32(0xCE, obj)
        elif obj <= 0xFFFFFFFFFFFFFFFF:
            out += _B_U64(0xCF, obj)
        else:
            raise OverflowError(_INT_RANGE)
    elif obj >= -0x20:
        out.append(obj + 0x100)
    elif obj >= -0x80:
        out += _B_I8(0xD0, obj)
    elif obj >= -0x8000:
        out += _B_I16(0xD1, obj)
    elif obj >= -0x80000000:
        out += _B_I32(0xD2, obj)
    elif obj >= -0x8000000000000000:
        out += _B_I64(0xD3, obj)
    else:
        raise OverflowError(_INT_RANGE)


def _pack_float(obj, out, depth):
    out += _B_F64(0xCB, obj)


def _length_header(size, code8, what, out):
    """Writes the header of a str (``code8`` 0xD9) or a bin (0xC4) of ``size`` bytes: ``code8``,
    ``code8 + 1`` and ``code8 + 2`` are its forms with an 8-, 16- and 32-bit length."""
    if size <= 0xFF:
        out += _B_U8(code8, size)
    elif size <= 0xFFFF:
        out += _B_U16(code8 + 1, size)
    elif size <= 0xFFFFFFFF:
        out += _B_U32(code8 + 2, size)
    else:
        raise ValueError(f"{what} of {size} bytes is too large for MessagePack")


def _pack_str(obj, out, depth):
    data = obj.encode("utf-8")
    size = len(data)
    if size < 32:
        out.append(0xA0 | size)
    else:
        _length_header(size, 0xD9, "str", out)
    out += data


def _bin_header(size, out):
    _length_header(size, 0xC4, "binary value", out)


def _pack_binary(obj, size, out):
    if size >= _REFERENCE_BYTES and type(out) is _PartsOut:
        if not out.share(None, (obj,), size):
            _bin_header(size, out)
            out.reference(obj)
    else:
        _bin_header(size, out)
        out += obj


def _pack_bin(obj, out, depth):
    _pack_binary(obj, len(obj), out)


def _pack_memoryview(obj, out, depth):
    _pack_binary(obj, obj.nbytes, out)


def _container_header(size, depth, fixed, code16, what, out):
    """Writes an array's or map's header (``code16 + 1`` is the 32-bit form); returns the depth
    of its items."""
    if depth >= _FRAME_DEPTH:
        raise _too_deep()
    if size < 16:
        out.append(fixed | size)
    elif size <= 0xFFFF:
        out += _B_U16(code16, size)
    elif size <= 0xFFFFFFFF:
        out += _B_U32(code16 + 1, size)
    else:
        raise ValueError(f"{what.format(size)} is too large for MessagePack")
    return depth + 1


def _pack_array(obj, out, depth):
    depth = _container_header(len(obj), depth, 0x90, 0xDC, "array of {} items", out)
    encoder_of = _ENCODERS.get
    for item in obj:
        (encoder_of(type(item)) or _subclass_encoder(item))(item, out, depth)


def _pack_map(obj, out, depth):
    depth = _container_header(len(obj), depth, 0x80, 0xDE, "map of {} entries", out)
    encoder_of = _ENCODERS.get
    for key, value in obj.items():
        (encoder_of(type(key)) or _subclass_encoder(key))(key, out, depth)
        (encoder_of(type(value)) or _subclass_encoder(value))(value, out, depth)


def _ext_header(code, size, out):
    fixed = _FIXEXT.get(size)
    if fixed is not None:
        out += _B_I8(fixed, code)
    elif size <= 0xFF:
        out += _EXT8(0xC7, size, code)
    elif size <= 0xFFFF:
        out += _EXT16(0xC8, size, code)
    elif size <= 0xFFFFFFFF:
        out += _EXT32(0xC9, size, code)
    else:
        raise ValueError(f"ext value of {size} bytes is too large for MessagePack")


def _pack_ext(obj, out, depth):
    size = len(obj.data)
    if size >= _REFERENCE_BYTES and type(out) is _PartsOut and out.share(obj.code, (obj.data,), size):
        return
    _ext_header(obj.code, size, out)
    out += obj.data


def ndarray_parts(obj):
    """The ndarray ext payload of ``obj`` as its header (bytes) and its raw data (memoryview)."""
    type_string, shape, data = _ndarray.export(obj)
    return bytes(pure_encode([type_string, shape])), data


def _pack_ndarray(obj, out, depth):
    if type(out) is _PartsOut and _shm.is_owned(obj) and out.keep(obj):
        return
    header, data = ndarray_parts(obj)
    _pack_ext_body(_ndarray.EXT_CODE, header, data, out)


def _pack_arrow(obj, out, depth):
    _pack_ext_body(_arrow.EXT_CODE, b"", memoryview(_arrow.ipc_stream(obj)), out)


def _pack_ext_body(code, head, data, out):
    """Writes an ext value of ``code`` whose body is ``head`` then the memoryview ``data``: placed
    in shared memory if large enough, else in the frame, where a large ``data`` is referenced
    rather than copied when the frame is written in parts."""
    size = len(head) + data.nbytes
    large = data.nbytes >= _REFERENCE_BYTES and type(out) is _PartsOut
    if large and out.share(code, (head, data), size):
        return
    _ext_header(code, size, out)
    out += head
    if large:
        out.reference(data)
    else:
        out += data


def _pack_numpy_scalar(obj, out, depth):
    value = _ndarray.scalar_value(obj)
    (_ENCODERS.get(type(value)) or _subclass_encoder(value))(value, out, depth)


def _pack_datetime(obj, out, depth):
    if type(obj) is not _datetime().datetime or obj.tzinfo is None:
        obj = _utc_datetime(obj)
    delta = obj - _epoch_utc()
    seconds = delta.days * 86400 + delta.seconds
    nanoseconds = delta.microseconds * 1000
    # The three timestamp formats of the MessagePack spec, smallest first.
    if seconds >> 34 == 0:
        packed = nanoseconds << 34 | seconds
        if packed >> 32 == 0:
            out += _TS32(0xD6, -1, packed)
        else:
            out += _TS64(0xD7, -1, packed)
    else:
        out += _TS96(0xC7, 12, -1, nanoseconds, seconds)


_ENCODERS = {
    type(None): _pack_nil,
    bool: _pack_bool,
    int: _pack_int,
    float: _pack_float,
    str: _pack_str,
    bytes: _pack_bin,
    bytearray: _pack_bin,
    memoryview: _pack_memoryview,
    list: _pack_array,
    tuple: _pack_array,
    dict: _pack_map,
    ExtType: _pack_ext,
}

# Checked in this order for instances of subclasses; ExtType is a tuple, so it comes before tuple.
_SUBCLASS_ENCODERS = [
    (int, _pack_int),
    (float, _pack_float),
    ((bytes, bytearray), _pack_bin),
    (str, _pack_str),
    (dict, _pack_map),
    (ExtType, _pack_ext),
    ((list, tuple), _pack_array),
    (memoryview, _pack_memoryview),
]


def _subclass_encoder(obj):
    for base, encoder in _SUBCLASS_ENCODERS:
        if isinstance(obj, base):
            _ENCODERS[type(obj)] = encoder
            return encoder
    numpy = _ndarray.loaded_numpy()  # a numpy object means numpy is imported
    if numpy is not None:
        if isinstance(obj, numpy.ndarray):
            _ENCODERS[type(obj)] = _pack_ndarray
            return _pack_ndarray
        if isinstance(obj, numpy.generic):
            _ENCODERS[type(obj)] = _pack_numpy_scalar
            return _pack_numpy_scalar
    if _arrow.encodes(obj):
        _ENCODERS[type(obj)] = _pack_arrow
        return _pack_arrow
    if isinstance(obj, _datetime().datetime):  # last: it imports datetime if nothing has
        _ENCODERS[type(obj)] = _pack_datetime
        return _pack_datetime
    raise _unsupported(obj)


def pure_encode(obj):
    """Encodes ``obj`` with the pure-Python codec; returns a bytearray."""
    out = bytearray()
    _pure_encode_into(obj, out)
    return out


def _pure_encode_into(obj, out):
    (_ENCODERS.get(type(obj)) or _subclass_encoder(obj))(obj, out, 0)


# A bin or ndarray value at least this large is referenced by encode_body, not copied.
_REFERENCE_BYTES = 64 * 1024


class Chunks:
    """An encoding in parts (bytes-like objects, the large values among them not copied).

    ``len()`` is its size in bytes; ``bytes()`` joins the parts.
    """

    __slots__ = ("parts", "size")

    def __init__(self, parts):
        self.parts = parts
        self.size = sum(memoryview(part).nbytes for part in parts)

    def __len__(self):
        return self.size

    def __bytes__(self):
        return b"".join(self.parts)


class _PartsOut(bytearray):
    """The pure encoder's output for encode_body: large values are put aside as references, in
    ``parts`` with the bytes before them."""

    parts = None
    shared = None  # (segment, offset) of the blocks placed in shared memory
    kept = None  # the references handing arrays of pysynapse.shared to the host

    def keep(self, array):
        """Writes a reference handing ``array``'s block to the host; False if it cannot go so."""
        reference = _shm.kept_reference(array)
        if reference is None:
            return False
        if self.kept is None:
            self.kept = []
        self.kept.append(reference)
        body = pure_encode(reference)
        _ext_header(_shm.EXT_CODE, len(body), self)
        self += body
        return True

    def share(self, code, parts, size):
        """Puts ``parts`` (``size`` bytes, the body of a bin value or of an ext value of ``code``)
        in shared memory and a reference to them here; False if they stay in the frame."""
        if size < _shm.threshold:
            return False
        if self.shared is None:
            self.shared = []
        placed = _shm.place(parts, size, self.shared)
        if placed is None:
            return False
        body = pure_encode([code, placed[0], placed[1], size])
        _ext_header(_shm.EXT_CODE, len(body), self)
        self += body
        return True

    def reference(self, data):
        """Puts ``data`` (a bytes-like object) next in the output without copying it."""
        if self.parts is None:
            self.parts = []
        self.parts.append(bytes(self))
        self.parts.append(memoryview(data).cast("B"))
        self.clear()


def pure_encode_body(obj):
    out = _PartsOut()
    try:
        _pure_encode_into(obj, out)
    except BaseException:
        if out.shared:
            _shm.release(out.shared)  # the frame is not sent: its blocks are free again
        if out.kept:
            _shm.unkeep(out.kept)
        raise
    parts = out.parts
    if parts is None:
        return out
    parts.append(bytes(out))
    return Chunks(parts)


# -------------------------------------------------------------------------------------------------
# Pure-Python decoder. ``_unpack(data, pos)`` returns (value, position after it). Reading past the
# end raises IndexError or struct.error, which decode() turns into one ValueError. Containers are
# decoded inside _unpack itself, so that each nesting level costs one Python frame.

_U16 = struct.Struct(">H").unpack_from
_U32 = struct.Struct(">I").unpack_from
_U64 = struct.Struct(">Q").unpack_from
_I8 = struct.Struct(">b").unpack_from
_I16 = struct.Struct(">h").unpack_from
_I32 = struct.Struct(">i").unpack_from
_I64 = struct.Struct(">q").unpack_from
_F32 = struct.Struct(">f").unpack_from
_F64 = struct.Struct(">d").unpack_from
_TS96_FIELDS = struct.Struct(">Iq").unpack


def _timestamp(data):
    size = len(data)
    if size == 4:
        seconds, nanoseconds = _U32(data)[0], 0
    elif size == 8:
        packed = _U64(data)[0]
        seconds, nanoseconds = packed & 0x3FFFFFFFF, packed >> 34
    elif size == 12:
        nanoseconds, seconds = _TS96_FIELDS(data)
    else:
        raise ValueError(f"timestamp ext value of {size} bytes (expected 4, 8 or 12)")
    if nanoseconds > 999999999:
        raise ValueError(f"timestamp with {nanoseconds} nanoseconds (at most 999999999)")
    try:
        delta = _datetime().timedelta(seconds=seconds, microseconds=nanoseconds // 1000)
        return _epoch_utc() + delta
    except OverflowError:
        raise ValueError(f"{_OUT_OF_RANGE}: {seconds} seconds from 1970") from None


_OUT_OF_RANGE = "timestamp outside the range of Python's datetime (years 1 to 9999)"
_UNHASHABLE = "a map key that is an array or a map cannot be decoded in Python: {}"


def _ext(data, pos, size, code):
    end = pos + size
    if end > len(data):
        raise IndexError
    if code == _ndarray.EXT_CODE:
        return ndarray_value(data[pos:end]), end  # a memoryview slice: the data is copied once
    if code == _arrow.EXT_CODE:
        return _arrow.table_value(data[pos:end]), end  # copied once, into the table's buffer
    if code == _shm.EXT_CODE:
        return shared_value(data[pos:end]), end
    payload = bytes(data[pos:end])
    if code == -1:
        return _timestamp(payload), end
    return ExtType._make((code, payload)), end  # any code: -128..-2 too, unchecked


def shared_value(payload):
    """The value a shared-memory reference (ext 3) stands for, copied out of the host's segment as
    if it had been in the frame (an ndarray is viewed there instead, see _shm.host_array);
    ValueError for a malformed reference or one outside the region."""
    reference = pure_decode(payload)
    if type(reference) is list and len(reference) == 5:
        return _shm.lent_value(reference)
    if type(reference) is not list or len(reference) != 4:
        raise ValueError("malformed shared-memory reference")
    code, index, offset, length = reference
    data = _shm.view(index, offset, length)
    if code is None:
        from . import _split_copy  # not at start-up: only large values need it

        return _split_copy.to_bytes(data)
    if type(code) is not int or code == _shm.EXT_CODE or not -128 <= code <= 127:
        raise ValueError(f"shared-memory reference to an ext value of code {code!r}")
    if code == _ndarray.EXT_CODE:
        return ndarray_value(data, (index, offset))
    if code == _arrow.EXT_CODE:
        return _arrow.table_value(data)
    if code == -1:
        return _timestamp(bytes(data))
    return ExtType._make((code, bytes(data)))


def ndarray_value(payload, host_block=None):
    """Decodes the payload of an ndarray ext value (bytes-like); ValueError if it is malformed. A
    payload in the host's block ``host_block`` (segment, offset) may become a view of it."""
    view = memoryview(payload)
    try:
        header, start = _unpack(view, 0)
    except (IndexError, struct.error, ValueError, TypeError):
        header, start = None, 0
    if type(header) is not list or len(header) != 2:
        raise ValueError("ndarray ext value without its [dtype, shape] header")
    type_string, shape = header
    item_size = _ndarray.ITEM_SIZES.get(type_string) if type(type_string) is str else None
    if item_size is None:
        raise ValueError(f"ndarray ext value of unknown dtype {type_string!r}")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"ndarray ext value with an invalid shape {shape!r}")
    expected = item_size
    for n in shape:
        expected *= n
    if expected != len(view) - start:
        raise ValueError(
            f"ndarray ext value of dtype {type_string} and shape {shape} holds "
            f"{len(view) - start} bytes of data instead of {expected}"
        )
    if host_block is not None:
        return _shm.host_array(type_string, shape, view[start:], host_block)
    return _ndarray.build(type_string, shape, view[start:])


def _str(data, pos, size):
    end = pos + size
    if end > len(data):
        raise IndexError
    return str(data[pos:end], "utf-8"), end


def _bin(data, pos, size):
    end = pos + size
    if end > len(data):
        raise IndexError
    return bytes(data[pos:end]), end


def _constant(value):
    return lambda data, pos: (value, pos)


def _number(unpack_from, size):
    return lambda data, pos: (unpack_from(data, pos)[0], pos + size)


def _sized(read, length_from, length_size):
    return lambda data, pos: read(data, pos + length_size, length_from(data, pos)[0])


def _ext_sized(length_from, length_size):
    return lambda data, pos: _ext(
        data, pos + length_size + 1, length_from(data, pos)[0], _I8(data, pos + length_size)[0]
    )


def _fixext(size):
    return lambda data, pos: _ext(data, pos + 1, size, _I8(data, pos)[0])


def _invalid(data, pos):
    raise ValueError(f"invalid MessagePack type byte 0xc1 at offset {pos - 1}")


def _u8(data, pos):
    return data[pos], pos + 1


def _u8_length(data, pos):
    return (data[pos],)


# Type bytes 0xc0..0xdb, indexed by byte - 0xc0 (0xdc..0xdf, the long arrays and maps, are in
# _unpack).
_SCALARS = (
    _constant(None),  # c0 nil
    _invalid,  # c1 never used
    _constant(False),  # c2
    _constant(True),  # c3
    _sized(_bin, _u8_length, 1),  # c4 bin 8
    _sized(_bin, _U16, 2),  # c5 bin 16
    _sized(_bin, _U32, 4),  # c6 bin 32
    _ext_sized(_u8_length, 1),  # c7 ext 8
    _ext_sized(_U16, 2),  # c8 ext 16
    _ext_sized(_U32, 4),  # c9 ext 32
    _number(_F32, 4),  # ca float 32
    _number(_F64, 8),  # cb float 64
    _u8,  # cc uint 8
    _number(_U16, 2),  # cd uint 16
    _number(_U32, 4),  # ce uint 32
    _number(_U64, 8),  # cf uint 64
    _number(_I8, 1),  # d0 int 8
    _number(_I16, 2),  # d1 int 16
    _number(_I32, 4),  # d2 int 32
    _number(_I64, 8),  # d3 int 64
    _fixext(1),  # d4
    _fixext(2),  # d5
    _fixext(4),  # d6
    _fixext(8),  # d7
    _fixext(16),  # d8
    _sized(_str, _u8_length, 1),  # d9 str 8
    _sized(_str, _U16, 2),  # da str 16
    _sized(_str, _U32, 4),  # db str 32
)


def _unpack(data, pos, depth=0):
    code = data[pos]
    pos += 1
    if code < 0x80:
        return code, pos
    if code >= 0xE0:
        return code - 0x100, pos
    if code < 0x90:
        count, is_map = code & 0x0F, True
    elif code < 0xA0:
        count, is_map = code & 0x0F, False
    elif code < 0xC0:
        return _str(data, pos, code & 0x1F)
    elif code < 0xDC:
        return _SCALARS[code - 0xC0](data, pos)
    else:
        if code & 1:
            count = _U32(data, pos)[0]
            pos += 4
        else:
            count = _U16(data, pos)[0]
            pos += 2
        is_map = code >= 0xDE
    if depth >= _FRAME_DEPTH:
        raise _too_deep()
    depth += 1
    # Every item takes at least one byte: reject impossible counts before building anything.
    # The commonest items (small ints, nil, short str keys) are decoded in line: a call less each.
    if is_map:
        if count * 2 > len(data) - pos:
            raise IndexError
        result = {}
        for _ in range(count):
            code = data[pos]
            if 0xA0 <= code < 0xC0:
                end = pos + 1 + (code & 0x1F)
                if end > len(data):
                    raise IndexError
                key = str(data[pos + 1 : end], "utf-8")
                pos = end
            else:
                key, pos = _unpack(data, pos, depth)
            value, pos = _unpack(data, pos, depth)
            result[key] = value
        return result, pos
    if count > len(data) - pos:
        raise IndexError
    items = []
    append = items.append
    for _ in range(count):
        code = data[pos]
        if code < 0x80:
            append(code)
            pos += 1
        elif code == 0xC0:
            append(None)
            pos += 1
        else:
            item, pos = _unpack(data, pos, depth)
            append(item)
    return items, pos


_TRUNCATED = "truncated MessagePack data: the input ({} bytes) ends inside a value"
_EXTRA = "extra data after the MessagePack value: {} bytes"

# Above this size a bytearray is read through a memoryview, so that a bin value is copied once.
_VIEW_THRESHOLD = 64 * 1024


def pure_decode(data):
    """Decodes one MessagePack value that fills all of ``data`` (any bytes-like object)."""
    kind = type(data)
    if kind is memoryview and data.nbytes <= _VIEW_THRESHOLD:
        data = data.tobytes()  # a small copy is faster to read than a view
    elif kind is not bytes and (kind is not bytearray or len(data) > _VIEW_THRESHOLD):
        data = memoryview(data)
        if data.format != "B" or data.ndim != 1:
            data = data.cast("B")
    try:
        value, end = _unpack(data, 0)
    except (IndexError, struct.error):
        raise ValueError(_TRUNCATED.format(len(data))) from None
    except TypeError as exc:
        raise ValueError(_UNHASHABLE.format(exc)) from None
    if end != len(data):
        raise ValueError(_EXTRA.format(len(data) - end))
    return value



encode = pure_encode
encode_body = pure_encode_body
decode = pure_decode
