"""The pure codec against msgpack-python (C), on generated values and generated MessagePack bytes.

Needs msgpack: skipped without it, and a failure in the run-tests pass that sets
SYNAPSE_REQUIRE_MSGPACK=1.
"""

import datetime as dt
import math
import struct

from conftest import require_msgpack
from hypothesis import given
from hypothesis import strategies as st

from pysynapse import _codec

msgpack = require_msgpack()

from pysynapse import _msgpack_codec  # noqa: E402  (imports only with msgpack)

UTC = dt.timezone.utc
ZONES = [
    None,
    UTC,
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(-dt.timedelta(hours=8)),
]
INT_EDGES = [0, 127, 128, 255, 256, 2**16 - 1, 2**16, 2**32 - 1, 2**32, 2**63, 2**64 - 1]
INT_EDGES += [-1, -32, -33, -128, -129, -(2**15), -(2**15) - 1, -(2**31), -(2**31) - 1, -(2**63)]


def msgpack_packb(value):
    """msgpack's own encoding, naive datetimes being made UTC first (it refuses them)."""
    return msgpack.packb(_utc(value), use_bin_type=True, datetime=True)


def msgpack_unpackb(data):
    # The ndarray ext type (code 1) is decoded by pysynapse's hook, also when msgpack is used.
    return msgpack.unpackb(
        data,
        raw=False,
        strict_map_key=False,
        timestamp=3,
        ext_hook=_msgpack_codec._msgpack_ext_hook,
    )


def _utc(value):
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, (list, tuple)) and not isinstance(value, msgpack.ExtType):
        return [_utc(item) for item in value]
    if isinstance(value, dict):
        return {_utc(key): _utc(item) for key, item in value.items()}
    return value


def same(a, b):
    """Equal values of equal types; NaN equals NaN and 0.0 differs from -0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(k1, k2) and same(v1, v2) for (k1, v1), (k2, v2) in zip(a.items(), b.items())
        )
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo
    return a == b


# Ext codes other than 1, the ndarray ext type (its values are generated in test_ndarray.py), 2, the
# Arrow table (test_arrow.py), and 3, the shared-memory reference (test_shm.py).
ext_codes = st.integers(0, 127).filter(lambda code: code not in (1, 2, 3))
keys = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=20)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.sampled_from(INT_EDGES)
    | st.floats()
    | st.text(max_size=40)
    | st.binary(max_size=40)
    | st.binary(max_size=40).map(bytearray)
    | st.datetimes(timezones=st.sampled_from(ZONES))
    | st.builds(msgpack.ExtType, ext_codes, st.binary(max_size=20))
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=8)
        | st.lists(children, max_size=8).map(tuple)
        | st.dictionaries(keys, children, max_size=8)
    ),
    max_leaves=15,
)


def test_the_selected_codec_is_msgpack():
    assert _codec.NAME == "msgpack"
    assert _codec.ExtType is msgpack.ExtType
    assert msgpack.Packer.__module__ == "msgpack._cmsgpack", "msgpack without its C extension"


@given(values)
def test_pure_encoding_is_byte_identical_to_msgpack(value):
    expected = msgpack_packb(value)
    assert bytes(_codec.pure_encode(value)) == expected
    assert _codec.encode(value) == expected


@given(values)
def test_pure_decoding_equals_msgpack(value):
    data = msgpack_packb(value)
    assert same(_codec.pure_decode(data), msgpack_unpackb(data))


def _header(small, formats, size):
    """Any header that fits ``size`` (``small``: the byte of the fix format, or None)."""
    options = [
        struct.pack(">B" + code, byte, size) for byte, code, limit in formats if size <= limit
    ]
    if small is not None:
        options.append(bytes([small | size]))
    return st.sampled_from(options)


STR_FORMATS = [(0xD9, "B", 0xFF), (0xDA, "H", 0xFFFF), (0xDB, "I", 0xFFFFFFFF)]
BIN_FORMATS = [(0xC4, "B", 0xFF), (0xC5, "H", 0xFFFF), (0xC6, "I", 0xFFFFFFFF)]
ARRAY_FORMATS = [(0xDC, "H", 0xFFFF), (0xDD, "I", 0xFFFFFFFF)]
MAP_FORMATS = [(0xDE, "H", 0xFFFF), (0xDF, "I", 0xFFFFFFFF)]
INT_FORMATS = [
    (0xCC, "B", 0, 2**8 - 1),
    (0xCD, "H", 0, 2**16 - 1),
    (0xCE, "I", 0, 2**32 - 1),
    (0xCF, "Q", 0, 2**64 - 1),
    (0xD0, "b", -(2**7), 2**7 - 1),
    (0xD1, "h", -(2**15), 2**15 - 1),
    (0xD2, "i", -(2**31), 2**31 - 1),
    (0xD3, "q", -(2**63), 2**63 - 1),
]


@st.composite
def encoded_int(draw):
    value = draw(st.integers(-(2**63), 2**64 - 1) | st.sampled_from(INT_EDGES))
    options = [
        struct.pack(">B" + code, byte, value)
        for byte, code, lo, hi in INT_FORMATS
        if lo <= value <= hi
    ]
    if 0 <= value < 128:
        options.append(bytes([value]))
    if -32 <= value < 0:
        options.append(struct.pack(">b", value))
    return draw(st.sampled_from(options))


@st.composite
def encoded_sized(draw, kind):
    if kind == "str":
        data = draw(st.text(max_size=40)).encode("utf-8")
        small = 0xA0 if len(data) < 32 else None
        return draw(_header(small, STR_FORMATS, len(data))) + data
    data = draw(st.binary(max_size=40))
    return draw(_header(None, BIN_FORMATS, len(data))) + data


@st.composite
def encoded_ext(draw):
    data = draw(st.binary(max_size=20))
    code = struct.pack(">b", draw(ext_codes))
    fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
    options = [struct.pack(">B" + c, b, len(data)) + code for b, c, limit in BIN_FORMATS]
    options = [bytes([0xC7 + i]) + o[1:] for i, o in enumerate(options)]  # ext 8/16/32
    if len(data) in fixed:
        options.append(bytes([fixed[len(data)]]) + code)
    return draw(st.sampled_from(options)) + data


@st.composite
def encoded_timestamp(draw):
    kind = draw(st.sampled_from([32, 64, 96]))
    if kind == 32:
        return b"\xd6\xff" + struct.pack(">I", draw(st.integers(0, 2**32 - 1)))
    nanoseconds = draw(st.integers(0, 999999999))
    if kind == 64:
        seconds = draw(st.integers(0, 2**34 - 1))
        return b"\xd7\xff" + struct.pack(">Q", nanoseconds << 34 | seconds)
    seconds = draw(st.integers(-62135596800, 253402300799))  # years 1 to 9999
    return b"\xc7\x0c\xff" + struct.pack(">Iq", nanoseconds, seconds)


encoded_scalars = st.one_of(
    st.sampled_from([b"\xc0", b"\xc2", b"\xc3"]),
    encoded_int(),
    st.floats(width=32).map(lambda f: struct.pack(">Bf", 0xCA, f)),
    st.floats().map(lambda f: struct.pack(">Bd", 0xCB, f)),
    encoded_sized("str"),
    encoded_sized("bin"),
    encoded_ext(),
    encoded_timestamp(),
)
encoded_keys = st.one_of(encoded_int(), encoded_sized("str"), st.just(b"\xc0"))


@st.composite
def encoded_container(draw, children):
    if draw(st.booleans()):
        items = draw(st.lists(children, max_size=8))
        small = 0x90 if len(items) < 16 else None
        return draw(_header(small, ARRAY_FORMATS, len(items))) + b"".join(items)
    pairs = draw(st.lists(st.tuples(encoded_keys, children), max_size=8))
    small = 0x80 if len(pairs) < 16 else None
    return draw(_header(small, MAP_FORMATS, len(pairs))) + b"".join(k + v for k, v in pairs)


documents = st.recursive(encoded_scalars, encoded_container, max_leaves=15)


@given(documents)
def test_pure_decoder_agrees_with_msgpack_on_any_encoding(data):
    assert same(_codec.pure_decode(data), msgpack_unpackb(data))


def _outcome(decode, data):
    try:
        return "value", decode(data)
    except Exception as exc:
        return "error", exc


@given(documents, st.data())
def test_truncated_documents_are_refused_by_both(data, draw):
    end = draw.draw(st.integers(0, len(data) - 1))
    assert _outcome(_codec.pure_decode, data[:end])[0] == "error"
    assert _outcome(msgpack_unpackb, data[:end])[0] == "error"


@given(st.binary(max_size=30))
def test_arbitrary_bytes_decode_alike_or_fail_alike(data):
    pure_kind, pure_value = _outcome(_codec.pure_decode, data)
    c_kind, c_value = _outcome(msgpack_unpackb, data)
    assert pure_kind == c_kind, (pure_value, c_value)
    if pure_kind == "value":
        assert same(pure_value, c_value)
