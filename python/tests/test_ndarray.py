"""numpy arrays and scalars: the ndarray ext type (code 1) of docs/protocol.md.

Every codec test runs against the pure codec and the selected one. Tests that need numpy skip
without it (a failure in the run-tests pass that sets SYNAPSE_REQUIRE_MSGPACK=1); the decoding
without numpy runs everywhere, numpy being hidden where it is installed.
"""

import datetime as dt
import os
import struct
import subprocess
import sys

import pytest
from conftest import PYTHON_DIR, require_msgpack, worker_env

from pysynapse import ExtType, _codec, _ndarray

UTC = dt.timezone.utc
CODECS = {
    "pure": (_codec.pure_encode, _codec.pure_decode),
    "selected": (_codec.encode, _codec.decode),
}
TYPE_STRINGS = sorted(_ndarray.ITEM_SIZES)
SHAPES = [(), (0,), (7,), (2, 3), (0, 3), (3, 0, 2), (2, 3, 4)]


@pytest.fixture(params=sorted(CODECS))
def codec(request):
    return CODECS[request.param]


@pytest.fixture
def np():
    if os.environ.get("SYNAPSE_REQUIRE_MSGPACK") == "1":  # the run on Debian's python3-numpy
        import numpy

        return numpy
    return pytest.importorskip("numpy")


@pytest.fixture
def without_numpy(monkeypatch):
    """Makes ``import numpy`` fail, as where it is not installed; forgets the module kept."""
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.setattr(_ndarray, "_numpy", _ndarray._NOT_LOADED)


def ext_payload(type_string, shape, data):
    return bytes(_codec.pure_encode([type_string, shape])) + data


def sample(np, type_string, shape, seed=0):
    """An array of ``shape`` with arbitrary bits (for floats: NaNs with payloads, infinities...)."""
    dtype = np.dtype(type_string)
    count = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng(seed)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    return np.frombuffer(rng.bytes(count * dtype.itemsize), dtype=dtype).reshape(shape).copy()


def assert_same_array(np, decoded, original):
    """Same little-endian dtype, shape and bits; a writable C-ordered array of its own."""
    little = original.dtype.newbyteorder("<")
    assert type(decoded) is np.ndarray
    assert decoded.dtype == little and decoded.dtype.str == little.str
    assert decoded.shape == original.shape
    assert decoded.tobytes() == np.ascontiguousarray(original, dtype=little).tobytes()
    assert decoded.flags.writeable and decoded.flags.c_contiguous and decoded.flags.owndata


# -------------------------------------------------------------------------------------------------
# With numpy


@pytest.mark.parametrize("type_string", TYPE_STRINGS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_dtype_and_shape_round_trips_bit_exactly(np, codec, type_string, shape):
    array = sample(np, type_string, shape)
    assert_same_array(np, codec[1](codec[0](array)), array)


@pytest.mark.parametrize("type_string", TYPE_STRINGS)
def test_fortran_order_strided_views_and_big_endian_arrays_arrive_in_c_order(
    np, codec, type_string
):
    base = sample(np, type_string, (6, 5))
    big_endian = base.astype(base.dtype.newbyteorder(">"))
    for array in (
        np.asfortranarray(base),
        base[::2, 1:],
        base.T,
        base[::-1, ::-2],
        np.asfortranarray(sample(np, type_string, (3, 4, 5)))[:, ::2, 1:],
        big_endian,
        big_endian[1::3, ::-1],
    ):
        decoded = codec[1](codec[0](array))
        assert_same_array(np, decoded, array)
        assert np.array_equal(decoded, array, equal_nan=decoded.dtype.kind == "f")


def test_the_wire_format_is_the_documented_one(np, codec):
    array = np.array([[1, 2], [3, 4]], dtype="<i2")
    # ext of 16 bytes (fixext 16), code 1: [ "<i2", [2, 2] ] then 4 little-endian int16
    expected = "d801" + "92a33c693292" + "0202" + "0100020003000400"
    assert bytes(codec[0](array)).hex() == expected
    zero_d = np.array(1.5)  # a 0-d array keeps its shape: []
    assert bytes(codec[0](zero_d)).hex() == "c70e01" + "92a33c663890" + "000000000000f83f"
    assert bytes(codec[0](np.zeros(3, bool))).hex() == "c70a01" + "92a37c62319103" + "000000"


def test_arrays_inside_containers_and_the_codecs_agree_byte_for_byte(np):
    value = {
        "x": np.arange(6, dtype=np.float32).reshape(2, 3),
        "list": [np.zeros((0, 2), np.uint16), np.array(True), 3],
        "scalar": np.float32(0.1),
    }
    data = bytes(_codec.pure_encode(value))
    assert bytes(_codec.encode(value)) == data
    for decode in (_codec.pure_decode, _codec.decode):
        decoded = decode(data)
        assert_same_array(np, decoded["x"], value["x"])
        assert_same_array(np, decoded["list"][0], value["list"][0])
        assert_same_array(np, decoded["list"][1], value["list"][1])
        assert decoded["list"][2] == 3
        assert decoded["scalar"] == float(np.float32(0.1))


def test_a_large_array_round_trips_through_both_codecs(np):
    array = np.random.default_rng(3).random((1024, 1024 + 3))  # > the 1 MiB switch to pure
    data = bytes(_codec.pure_encode([1, 7, array]))
    assert bytes(_codec.encode([1, 7, array])) == data
    for decode in (_codec.pure_decode, _codec.decode):
        answer = decode(bytearray(data))
        assert answer[:2] == [1, 7]
        assert_same_array(np, answer[2], array)


def test_decoded_arrays_do_not_share_memory_with_the_frame(np, codec):
    body = bytearray(codec[0](np.arange(100000, dtype=np.int64)))
    decoded = codec[1](body)
    body[-8:] = b"\xff" * 8
    assert decoded[-1] == 99999
    decoded[0] = -1  # writable


@pytest.mark.parametrize(
    ("scalar", "plain"),
    [
        ("bool_(True)", True),
        ("int8(-5)", -5),
        ("int64(-(2**63))", -(2**63)),
        ("uint64(2**64 - 1)", 2**64 - 1),
        ("float16(1.5)", 1.5),
        ("float32(0.1)", 0.10000000149011612),
        ("float64(2.5)", 2.5),
        ("datetime64('2024-02-29T12:34:56.789')", dt.datetime(2024, 2, 29, 12, 34, 56, 789000)),
        ("datetime64('2024-02-29')", dt.datetime(2024, 2, 29)),
        ("datetime64('2024-02-29T00:00:00.000001999')", dt.datetime(2024, 2, 29, 0, 0, 0, 1)),
        ("datetime64('NaT')", None),
    ],
)
def test_numpy_scalars_encode_as_their_plain_values(np, codec, scalar, plain):
    value = eval("np." + scalar, {"np": np})
    assert bytes(codec[0](value)) == bytes(codec[0](plain))
    assert bytes(codec[0]([value, {"k": value}])) == bytes(codec[0]([plain, {"k": plain}]))


def test_a_datetime_answer_converts_as_before(codec):
    when = dt.datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert codec[1](codec[0]({"at": when, "naive": when.replace(tzinfo=None)})) == {
        "at": when,
        "naive": when,
    }


@pytest.mark.parametrize(
    ("make", "named"),
    [
        ("np.array([1j])", "complex128"),
        ("np.array([object()])", "dtype object"),
        ("np.array(['text'])", "<U4"),
        ("np.array([b'x'])", "|S1"),
        ("np.array(['2024-01-01'], dtype='datetime64[D]')", "datetime64[D]"),
        ("np.array([1], dtype='timedelta64[s]')", "timedelta64[s]"),
        ("np.zeros(2, dtype=[('a', '<i4'), ('b', '<f8')])", "[('a', '<i4'), ('b', '<f8')]"),
        ("np.zeros(2, dtype=np.longdouble)", "float128"),
        ("np.ma.masked_array([1, 2], mask=[0, 1])", "the mask would be lost"),
        ("np.complex64(1)", "'numpy.complex64'"),
        ("np.timedelta64(5, 's')", "'numpy.timedelta64'"),
        ("np.longdouble(1)", "'numpy."),
        ("np.datetime64('99999-01-01')", "'numpy.datetime64'"),
    ],
)
def test_unsupported_numpy_values_are_refused_naming_their_dtype(np, codec, make, named):
    value = eval(make, {"np": np})
    if named == "float128" and np.dtype(np.longdouble).itemsize == 8:
        pytest.skip("long double is a double here")  # pragma: no cover - not on x86-64
    with pytest.raises(TypeError, match="cannot encode object of type") as info:
        codec[0]({"answer": [value]})
    assert named in str(info.value)


def test_numpy_scalar_subclasses_of_python_types_encode_as_before(np, codec):
    assert bytes(codec[0](np.float64(0.25))) == bytes(codec[0](0.25))
    assert bytes(codec[0](np.str_("s"))) == bytes(codec[0]("s"))
    assert bytes(codec[0](np.bytes_(b"b"))) == bytes(codec[0](b"b"))


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "without its [dtype, shape] header"),
        (b"\x92\xa3<f8", "without its [dtype, shape] header"),  # truncated header
        (b"\x81\x91\x01\x02", "without its [dtype, shape] header"),  # {[1]: 2}: unhashable key
        (bytes(_codec.pure_encode("<f8")), "without its [dtype, shape] header"),
        (bytes(_codec.pure_encode(["<f8", [1], 0])), "without its [dtype, shape] header"),
        (ext_payload(">f8", [1], bytes(8)), "unknown dtype '>f8'"),
        (ext_payload("<c16", [1], bytes(16)), "unknown dtype '<c16'"),
        (ext_payload(8, [1], bytes(8)), "unknown dtype 8"),
        (ext_payload("<f8", [-1], b""), "invalid shape [-1]"),
        (ext_payload("<f8", [1.0], bytes(8)), "invalid shape [1.0]"),
        (ext_payload("<f8", 1, bytes(8)), "invalid shape 1"),
        (ext_payload("<f8", [2], bytes(8)), "holds 8 bytes of data instead of 16"),
        (ext_payload("<i2", [2, 2], bytes(9)), "holds 9 bytes of data instead of 8"),
    ],
)
def test_malformed_ndarray_values_are_refused(codec, payload, problem):
    data = bytes(_codec.pure_encode([1, ExtType(1, payload)]))
    with pytest.raises(ValueError, match="ndarray ext value") as info:
        codec[1](data)
    assert problem in str(info.value)


def test_the_msgpack_codec_agrees_with_msgpack_itself(np):
    msgpack = require_msgpack()
    array = sample(np, "<f4", (3, 2))
    data = _codec.encode(array)
    raw = msgpack.unpackb(data)  # plain msgpack sees the ext value with its header
    assert raw.code == 1
    assert raw.data == ext_payload("<f4", [3, 2], array.tobytes())


def test_hypothesis_arrays_encode_alike_and_round_trip(np):
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis.extra import numpy as hnp

    dtypes = hnp.boolean_dtypes() | hnp.integer_dtypes() | hnp.unsigned_integer_dtypes()
    dtypes = dtypes | hnp.floating_dtypes(sizes=(16, 32, 64))
    arrays = hnp.arrays(dtypes, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))

    @hypothesis.given(arrays, hypothesis.strategies.sampled_from(["C", "F", "view"]))
    def check(array, layout):
        if layout == "F":
            array = np.asfortranarray(array)
        elif layout == "view" and array.ndim:
            array = array[::-1]
        data = bytes(_codec.pure_encode(array))
        assert bytes(_codec.encode(array)) == data
        assert_same_array(np, _codec.pure_decode(data), array)
        assert_same_array(np, _codec.decode(data), array)

    check()


# -------------------------------------------------------------------------------------------------
# Without numpy


@pytest.mark.parametrize(
    ("type_string", "shape", "data"),
    [
        ("<f8", [2], struct.pack("<2d", 1.5, -2.0)),
        ("|b1", [], b"\x01"),
        ("<u2", [0, 3], b""),
        ("<i4", [2, 1, 2], struct.pack("<4i", 1, 2, 3, 4)),
    ],
)
def test_without_numpy_an_array_decodes_to_a_plain_dict(
    without_numpy, codec, type_string, shape, data
):
    body = bytes(_codec.pure_encode([1, 5, ExtType(1, ext_payload(type_string, shape, data))]))
    assert codec[1](body) == [1, 5, {"dtype": type_string, "shape": shape, "data": data}]
    assert codec[1](bytearray(body)) == [1, 5, {"dtype": type_string, "shape": shape, "data": data}]


def test_without_numpy_a_large_array_decodes_to_a_plain_dict(without_numpy, codec):
    data = bytes(range(256)) * 8192  # 2 MiB: the msgpack decoder hands the frame to pure_decode
    body = bytearray(_codec.pure_encode(ExtType(1, ext_payload("<u8", [len(data) // 8], data))))
    decoded = codec[1](body)
    assert decoded == {"dtype": "<u8", "shape": [len(data) // 8], "data": data}


def test_without_numpy_malformed_arrays_are_still_refused(without_numpy, codec):
    with pytest.raises(ValueError, match="holds 1 bytes of data instead of 8"):
        codec[1](_codec.pure_encode(ExtType(1, ext_payload("<f8", [1], b"x"))))


def test_numpy_is_imported_only_when_an_array_arrives():
    script = (
        "import sys\n"
        "from pysynapse import _codec, _server\n"
        "value = _codec.decode(_codec.encode([1, 'x', b'y', 1.5, {'k': None}]))\n"
        "before = 'numpy' in sys.modules\n"
        "_codec.decode(bytes.fromhex('d801' + '92a33c693292' + '0202' + '0100020003000400'))\n"
        "print(before, 'numpy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PYTHON_DIR,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    has_numpy = subprocess.run([sys.executable, "-c", "import numpy"], capture_output=True)
    assert result.stdout.split() == ["False", str(has_numpy.returncode == 0)]


# -------------------------------------------------------------------------------------------------
# Real workers


def test_a_worker_echoes_arrays_bit_exactly(np, spawn):
    worker = spawn("echo.py")
    worker.ready()
    arrays = [sample(np, t, (3, 4), seed=i) for i, t in enumerate(TYPE_STRINGS)]
    arrays += [np.asfortranarray(arrays[-1]), arrays[-1][::2, 1:], np.array(7, np.int16)]
    big = np.random.default_rng(9).random(1024 * 1024)  # 8 MiB
    worker.call(1, None, {"arrays": arrays, "big": big})
    answer = worker.recv(timeout=20)
    assert answer[:2] == [1, 1]
    for decoded, array in zip(answer[2]["arrays"], arrays):
        assert_same_array(np, decoded, array)
    assert_same_array(np, answer[2]["big"], big)


def test_a_worker_without_numpy_receives_a_dict_and_keeps_serving(spawn, tmp_path):
    hidden = tmp_path / "numpy"
    hidden.mkdir()
    (hidden / "__init__.py").write_text("raise ImportError('numpy is hidden for this test')\n")
    env = worker_env(PYTHONPATH=os.pathsep.join([str(tmp_path), PYTHON_DIR]))
    worker = spawn("echo.py", env=env)
    worker.ready()
    payload = ExtType(1, ext_payload("<f8", [2], struct.pack("<2d", 0.5, 4.0)))
    worker.call(1, None, payload)
    expected = {"dtype": "<f8", "shape": [2], "data": struct.pack("<2d", 0.5, 4.0)}
    assert worker.recv() == [1, 1, expected]
    worker.call(2, None, "still here")
    assert worker.recv() == [1, 2, "still here"]
