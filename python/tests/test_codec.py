"""The codec: exact encodings at every size boundary, round trips, and the errors.

Every test runs against the pure-Python codec and against the selected one (msgpack when
importable).
"""

import collections
import datetime as dt
import enum
import math
import struct
import subprocess
import sys

import pytest
from conftest import worker_env

from pysynapse import ExtType, _codec

UTC = dt.timezone.utc
CODECS = {
    "pure": (_codec.pure_encode, _codec.pure_decode),
    "selected": (_codec.encode, _codec.decode),
}


@pytest.fixture(params=sorted(CODECS))
def codec(request):
    return CODECS[request.param]


def encoded(codec, value):
    return bytes(codec[0](value))


def round_trip(codec, value):
    return codec[1](codec[0](value))


INTS = [
    (0, "00"),
    (127, "7f"),
    (128, "cc80"),
    (255, "ccff"),
    (256, "cd0100"),
    (65535, "cdffff"),
    (65536, "ce00010000"),
    (2**32 - 1, "ceffffffff"),
    (2**32, "cf0000000100000000"),
    (2**63, "cf8000000000000000"),
    (2**64 - 1, "cfffffffffffffffff"),
    (-1, "ff"),
    (-32, "e0"),
    (-33, "d0df"),
    (-128, "d080"),
    (-129, "d1ff7f"),
    (-32768, "d18000"),
    (-32769, "d2ffff7fff"),
    (-(2**31), "d280000000"),
    (-(2**31) - 1, "d3ffffffff7fffffff"),
    (-(2**63), "d38000000000000000"),
]


@pytest.mark.parametrize(("value", "hex_bytes"), INTS)
def test_ints_take_their_smallest_encoding(codec, value, hex_bytes):
    assert encoded(codec, value).hex() == hex_bytes
    assert round_trip(codec, value) == value


@pytest.mark.parametrize(
    ("value", "header"),
    [(None, "c0"), (False, "c2"), (True, "c3"), (1.5, "cb3ff8000000000000")],
)
def test_constants_and_floats(codec, value, header):
    assert encoded(codec, value).hex() == header
    assert round_trip(codec, value) is value or round_trip(codec, value) == value


@pytest.mark.parametrize("value", [0.0, -0.0, 1e300, -2.5e-310, math.inf, -math.inf, 0.1])
def test_floats_are_always_float64(codec, value):
    data = encoded(codec, value)
    assert data == b"\xcb" + struct.pack(">d", value)
    back = round_trip(codec, value)
    assert (
        type(back) is float and back == value and math.copysign(1, back) == math.copysign(1, value)
    )


def test_nan_round_trips(codec):
    assert math.isnan(round_trip(codec, math.nan))


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (0, "a0"),
        (31, "bf"),
        (32, "d920"),
        (255, "d9ff"),
        (256, "da0100"),
        (65535, "daffff"),
        (65536, "db00010000"),
    ],
)
def test_str_headers(codec, size, header):
    value = "s" * size
    data = encoded(codec, value)
    assert data.hex().startswith(header) and len(data) == len(header) // 2 + size
    assert round_trip(codec, value) == value


def test_str_length_counts_utf8_bytes(codec):
    value = "\u00e9" * 16  # 32 bytes in UTF-8
    assert encoded(codec, value)[:2] == b"\xd9\x20"
    assert round_trip(codec, value) == value


@pytest.mark.parametrize(
    ("size", "header"),
    [(0, "c400"), (255, "c4ff"), (256, "c50100"), (65535, "c5ffff"), (65536, "c600010000")],
)
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bin_headers(codec, size, header, kind):
    value = kind(b"b" * size)
    data = encoded(codec, value)
    assert data.hex().startswith(header) and len(data) == len(header) // 2 + size
    back = round_trip(codec, value)
    assert type(back) is bytes and back == bytes(value)


def test_memoryview_of_other_formats_is_its_bytes(codec):
    view = memoryview(struct.pack("<3i", 1, 2, 3)).cast("i")
    assert round_trip(codec, view) == struct.pack("<3i", 1, 2, 3)


@pytest.mark.parametrize(
    ("size", "array_header", "map_header"),
    [
        (0, "90", "80"),
        (15, "9f", "8f"),
        (16, "dc0010", "de0010"),
        (65535, "dcffff", "deffff"),
        (65536, "dd00010000", "df00010000"),
    ],
)
def test_array_and_map_headers(codec, size, array_header, map_header):
    array = list(range(size))
    assert encoded(codec, array).hex().startswith(array_header)
    assert round_trip(codec, array) == array
    mapping = {i: None for i in range(size)}
    assert encoded(codec, mapping).hex().startswith(map_header)
    assert round_trip(codec, mapping) == mapping


def test_tuples_are_arrays_and_maps_keep_their_order(codec):
    assert encoded(codec, (1, (2,))) == encoded(codec, [1, [2]])
    mapping = {"z": 1, 3: "a", None: [], b"k": 2.5, True: False}
    back = round_trip(codec, mapping)
    assert back == mapping and list(back) == list(mapping)


def test_subclasses_encode_as_their_base_type(codec):
    class Color(enum.IntEnum):
        RED = 300

    class Name(str):
        pass

    Point = collections.namedtuple("Point", "x y")
    value = [Color.RED, Name("n"), Point(1, 2), collections.OrderedDict(a=1)]
    assert encoded(codec, value) == encoded(codec, [300, "n", [1, 2], {"a": 1}])


DATETIMES = [
    (dt.datetime(1970, 1, 1, tzinfo=UTC), "d6ff00000000"),
    (dt.datetime(2106, 2, 7, 6, 28, 15, tzinfo=UTC), "d6ffffffffff"),  # last 32-bit second
    (dt.datetime(2106, 2, 7, 6, 28, 16, tzinfo=UTC), "d7ff0000000100000000"),
    (dt.datetime(2020, 5, 5, 1, 2, 3, 123457, tzinfo=UTC), "d7ff1d6f37a05eb0bb0b"),
    (dt.datetime(2514, 5, 30, 1, 53, 3, 1, tzinfo=UTC), "d7ff00000fa3ffffffff"),  # last 64-bit
    (dt.datetime(2514, 5, 30, 1, 53, 4, tzinfo=UTC), "c70cff000000000000000400000000"),
    (dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "c70cff3b9ac618ffffffffffffffff"),
    (dt.datetime(1, 1, 1, tzinfo=UTC), "c70cff00000000fffffff1886e0900"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "c70cff3b9ac6180000003afff4417f"),
]


@pytest.mark.parametrize(("value", "hex_bytes"), DATETIMES)
def test_datetimes_are_timestamps(codec, value, hex_bytes):
    assert encoded(codec, value).hex() == hex_bytes
    back = round_trip(codec, value)
    assert back == value and back.tzinfo is UTC


def test_naive_datetimes_are_utc_and_other_zones_keep_their_instant(codec):
    naive = dt.datetime(1955, 11, 5, 6, 15, 0, 42)
    assert round_trip(codec, naive) == naive.replace(tzinfo=UTC)
    assert encoded(codec, naive) == encoded(codec, naive.replace(tzinfo=UTC))
    zoned = dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    back = round_trip(codec, zoned)
    assert back == zoned and back.tzinfo is UTC and back.hour == 12


def test_datetime_subclasses_encode_like_datetimes(codec):
    class Stamp(dt.datetime):
        pass

    value = Stamp(2000, 1, 2, 3, 4, 5, 6)
    assert encoded(codec, value) == encoded(codec, dt.datetime(2000, 1, 2, 3, 4, 5, 6, tzinfo=UTC))


def test_the_pure_codec_imports_datetime_only_for_a_timestamp():
    # -S: no site module that might import datetime itself; msgpack blocked: the pure codec.
    code = (
        "import sys\n"
        "sys.modules['msgpack'] = None\n"
        "import pysynapse._bootstrap, pysynapse._codec as codec\n"
        "assert codec.NAME == 'pure'\n"
        "assert 'datetime' not in sys.modules, 'datetime imported at start-up'\n"
        "assert codec.decode(codec.encode([1, 'x', None])) == [1, 'x', None]\n"
        "assert 'datetime' not in sys.modules, 'datetime imported without a timestamp'\n"
        "stamp = codec.decode(b'\\xd6\\xff\\x00\\x00\\x00\\x05')\n"
        "import datetime\n"
        "assert stamp == datetime.datetime(1970, 1, 1, 0, 0, 5, tzinfo=datetime.timezone.utc)\n"
        "assert codec.encode(stamp) == codec.encode(datetime.datetime(1970, 1, 1, 0, 0, 5))\n"
    )
    subprocess.run([sys.executable, "-S", "-c", code], env=worker_env(), check=True)


def test_timestamp_nanoseconds_are_truncated_to_microseconds(codec):
    packed = (1999 << 34) | 5
    value = codec[1](b"\xd7\xff" + struct.pack(">Q", packed))
    assert value == dt.datetime(1970, 1, 1, 0, 0, 5, 1, tzinfo=UTC)
    negative = codec[1](b"\xc7\x0c\xff" + struct.pack(">Iq", 999999999, -5))
    assert negative == dt.datetime(1969, 12, 31, 23, 59, 55, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (1, "d405"),
        (2, "d505"),
        (3, "c70305"),
        (4, "d605"),
        (8, "d705"),
        (16, "d805"),
        (17, "c71105"),
        (255, "c7ff05"),
        (256, "c8010005"),
        (65536, "c90001000005"),
    ],
)
def test_ext_headers(codec, size, header):
    value = ExtType(5, b"e" * size)
    data = encoded(codec, value)
    assert data.hex().startswith(header) and len(data) == len(header) // 2 + size
    assert round_trip(codec, value) == value


def test_ext_type_checks_its_fields():
    with pytest.raises(ValueError):
        ExtType(128, b"")
    with pytest.raises(TypeError):
        ExtType(1, "text")


@pytest.mark.parametrize("code", [-128, -2, 0, 4, 127])
def test_any_ext_code_but_timestamps_ndarrays_and_tables_decodes_to_an_ext_type(codec, code):
    value = codec[1](b"\xd5" + code.to_bytes(1, "big", signed=True) + b"ab")
    assert isinstance(value, ExtType)
    assert (value.code, value.data) == (code, b"ab")
    assert encoded(codec, value) == b"\xd5" + code.to_bytes(1, "big", signed=True) + b"ab"


@pytest.mark.parametrize(
    "data",
    [
        "c70cff" "00000000" "7fffffffffffffff",  # the largest 96-bit timestamp
        "c70cff" "00000000" "8000000000000000",  # the smallest
        "c70cff" "00000000" "0000003afff44180",  # 10000-01-01
    ],
)
def test_timestamps_outside_the_range_of_datetime_are_a_value_error(codec, data):
    with pytest.raises(ValueError, match="outside the range of Python's datetime"):
        codec[1](bytes.fromhex(data))


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ("cf0000000000000001", 1),
        ("d3ffffffffffffffff", -1),
        ("d000", 0),
        ("ca3fc00000", 1.5),
        ("d90161", "a"),
        ("da000161", "a"),
        ("db0000000161", "a"),
        ("c4020102", b"\x01\x02"),
        ("dc000101", [1]),
        ("dd0000000101", [1]),
        ("de0001a16101", {"a": 1}),
        ("df00000001a16101", {"a": 1}),
        ("d6ff00000001", dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
    ],
)
def test_decodes_longer_encodings_than_needed(codec, data, value):
    assert codec[1](bytes.fromhex(data)) == value


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_decodes_any_bytes_like_input(codec, kind):
    data = encoded(codec, {"k": [b"x" * 70000, "y" * 70000]})
    assert codec[1](kind(data)) == {"k": [b"x" * 70000, "y" * 70000]}


NESTED = {
    "a": [1, -200, 2**40, 1.5, None, True],
    "s": "x" * 40,
    "b": b"y" * 300,
    "e": ExtType(9, b"abc"),
    "t": dt.datetime(1901, 1, 1, 1, 1, 1, 1, tzinfo=UTC),
    "m": {1: {2: [3, {"d": "e"}]}},
}


def test_every_truncation_is_refused(codec):
    data = encoded(codec, NESTED)
    assert codec[1](data) == NESTED
    for end in range(len(data)):
        with pytest.raises(ValueError):
            codec[1](data[:end])


def test_truncated_input_says_so():
    with pytest.raises(ValueError, match="truncated MessagePack data: the input \\(3 bytes\\)"):
        _codec.pure_decode(b"\xd9\x05a")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x02", "extra data after the MessagePack value: 1 bytes"),
        (b"\xc1", "invalid MessagePack type byte 0xc1"),
        (b"\xd4\xff\x00", "timestamp ext value of 1 bytes"),
        (b"\xdd\xff\xff\xff\xff\x01", "truncated"),  # an impossible count fails before allocating
        (b"\xdf\xff\xff\xff\xff\x01", "truncated"),
    ],
)
def test_malformed_input_is_refused(data, message):
    with pytest.raises(ValueError, match=message):
        _codec.pure_decode(data)


def test_malformed_input_is_refused_by_the_selected_codec(codec):
    for data in (b"\x01\x02", b"\xc1", b"\xdd\xff\xff\xff\xff\x01", b"\xa2\xff\xfe"):
        with pytest.raises(ValueError):
            codec[1](data)


@pytest.mark.parametrize("data", [b"\x81\x90\x01", b"\x81\x80\x01", b"\x91\x81\x91\x01\x02"])
def test_unhashable_map_keys_are_a_value_error(codec, data):
    with pytest.raises(ValueError, match="a map key that is an array or a map"):
        codec[1](data)


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 2**200, [1, {"k": 2**64}]])
def test_ints_beyond_64_bits_cannot_be_encoded(codec, value):
    with pytest.raises(OverflowError, match=r"integer out of MessagePack range"):
        codec[0](value)


class Custom:
    pass


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        ({1, 2}, "set"),
        ([1, {"k": frozenset()}], "frozenset"),
        (Custom(), "test_codec.Custom"),
        ({Custom(): 1}, "test_codec.Custom"),
        (dt.date(2000, 1, 1), "datetime.date"),
        (1j, "complex"),
    ],
)
def test_unsupported_types_cannot_be_encoded(codec, value, type_name):
    with pytest.raises(TypeError, match=f"^cannot encode object of type '{type_name}'$"):
        codec[0](value)


def nested(levels, kind=list):
    value = None
    for _ in range(levels):
        value = [value] if kind is list else {"k": value}
    return value


TOO_DEEP = "more than 512 levels deep"


@pytest.mark.parametrize("levels", [514, 3000, 100_000])
@pytest.mark.parametrize("kind", [list, dict])
def test_too_deep_nesting_is_a_value_error(codec, levels, kind):
    # A frame holds an envelope array around a value of at most 512 levels: 513 in all.
    with pytest.raises(ValueError, match=TOO_DEEP):
        codec[0](nested(levels, kind))
    header = b"\x91" if kind is list else b"\x81\xa1k"
    with pytest.raises(ValueError, match=TOO_DEEP):
        codec[1](header * levels + b"\xc0")


@pytest.mark.parametrize("kind", [list, dict])
def test_the_deepest_value_a_frame_may_hold_round_trips(codec, kind):
    value = [1, 7, nested(512, kind)]  # [RESULT, id, value]
    assert round_trip(codec, value) == value


def test_a_deep_value_inside_a_large_one_is_found(codec):
    data = b"\xdc\x04\x00" + b"\x00" * 1023 + b"\x91" * 600 + b"\xc0"
    with pytest.raises(ValueError, match=TOO_DEEP):
        codec[1](data)


def test_a_value_that_contains_itself_is_a_value_error(codec):
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match=TOO_DEEP):
        codec[0](cyclic)
    loop = {}
    loop["self"] = [loop]
    with pytest.raises(ValueError, match=TOO_DEEP):
        codec[0](loop)


def test_moderate_nesting_works(codec):
    value = None
    for _ in range(200):
        value = [value]
    assert round_trip(codec, value) == value


def test_type_names():
    assert _codec.type_name(ValueError) == "ValueError"
    assert _codec.type_name(collections.OrderedDict) == "collections.OrderedDict"
    assert _codec.type_name(Custom) == "test_codec.Custom"


LARGE = bytes(range(256)) * 400  # over the size from which encode_body references a value


@pytest.mark.parametrize(
    "value",
    [
        [1, 7, LARGE],
        [1, 7, bytearray(LARGE)],
        [1, 7, memoryview(LARGE)],
        [1, 7, memoryview(LARGE).cast("I")],
        [3, 2**40, {"a": LARGE, "b": [LARGE, "x"], "c": ExtType(3, LARGE)}],
        [1, 7, {"small": b"x" * 100}],
        [1, 7, LARGE[:100]],
        "not a message",
    ],
    ids=["bytes", "bytearray", "memoryview", "int-view", "nested", "small", "small-bin", "other"],
)
def test_encode_body_is_encode_in_parts(value):
    body = _codec.encode_body(value)
    assert bytes(body) == bytes(_codec.encode(value))
    assert len(body) == len(bytes(body))
    if isinstance(body, _codec.Chunks):  # the large values are referenced, not copied
        assert any(isinstance(part, memoryview) for part in body.parts)


def test_encode_body_references_a_large_top_level_value_with_either_codec():
    body = _codec.encode_body([1, 7, LARGE])
    assert isinstance(body, _codec.Chunks)
    assert [bytes(part) for part in body.parts[1:]] == [LARGE, b""]


def test_encode_body_raises_what_encode_raises():
    with pytest.raises(TypeError, match="cannot encode object of type 'set'"):
        _codec.encode_body([1, 7, {1, 2}])
    with pytest.raises(OverflowError):
        _codec.encode_body([1, 7, LARGE, 2**64])


def test_the_selected_encoder_can_be_used_again_after_an_error():
    for _ in range(3):
        with pytest.raises(TypeError):
            _codec.encode([1, "x" * 100, {1}])
        assert bytes(_codec.encode([1, 2])) == b"\x92\x01\x02"


def test_every_prefix_of_a_call_message_is_truncated(codec):
    data = encoded(codec, [1, 2, None, {"key": "v", "k2": [None, 5, -1, "s"]}, {1: 2}])
    for end in range(len(data)):
        with pytest.raises(ValueError):  # msgpack's own message: "incomplete input"
            codec[1](data[:end])
    assert codec[1](memoryview(bytearray(data))) == [
        1,
        2,
        None,
        {"key": "v", "k2": [None, 5, -1, "s"]},
        {1: 2},
    ]
