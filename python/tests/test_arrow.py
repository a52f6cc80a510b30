"""Arrow tables (ext type 2) where pyarrow is missing: the value cannot be decoded, the error names
the package to install, and the worker goes on serving. The tables themselves are tested end to
end with pyarrow and pandas by the host's synapse-arrow module."""

import os
import re
import struct

import pytest

from conftest import PYTHON_DIR, worker_env
from pysynapse import _arrow, _codec
from pysynapse.arrow import batches, pandas_input

ERROR = 2
TABLE = b"\xd5\x02ab"  # ext 2 of two bytes: decoding it needs pyarrow before anything else
MISSING = "pyarrow is not installed in this worker's Python (pip install pyarrow"


@pytest.fixture
def without_pyarrow(monkeypatch):
    monkeypatch.setattr(_arrow, "_pyarrow", None)


@pytest.mark.parametrize("decode", [_codec.decode, _codec.pure_decode])
def test_a_table_without_pyarrow_is_a_value_error_naming_the_package(without_pyarrow, decode):
    expected = re.escape("cannot decode an Arrow table (ext type 2): " + MISSING)
    with pytest.raises(ValueError, match=expected):
        decode(b"\x92\x01" + TABLE)


def test_a_worker_without_pyarrow_answers_a_decode_error_and_serves_on(spawn, tmp_path):
    stub = tmp_path / "pyarrow"
    stub.mkdir()
    (stub / "__init__.py").write_text('raise ImportError("pyarrow is hidden for this test")\n')
    env = worker_env(PYTHONPATH=PYTHON_DIR + os.pathsep + str(tmp_path))
    worker = spawn("functions.py", env=env)
    worker.ready()
    body = b"\x94\x01\x05\xa4echo" + TABLE
    worker.write(struct.pack("<I", len(body)) + body)
    message = worker.recv()
    assert message[:2] == [ERROR, 5], message
    assert message[2]["kind"] == "decode"
    assert MISSING in message[2]["message"]
    worker.call(6, "echo", "still serving")
    assert worker.recv() == [1, 6, "still serving"]


def test_pandas_input_passes_other_values_through(without_pyarrow):
    handler = pandas_input(lambda payload: payload)
    assert handler({"a": 1}) == {"a": 1}
    assert handler([1, "x"]) == [1, "x"]
    assert handler(5) == 5
    assert list(handler(iter([1, 2]))) == [1, 2]


class _Chunked:
    """Stands for a pyarrow.Table: its batches are the given items (the tests run without pyarrow;
    synapse-arrow's ArrowStreamTest runs batches() on real tables)."""

    def __init__(self, *parts):
        self.parts = parts

    def to_batches(self):
        return list(self.parts)


def test_batches_walks_each_tables_batches_lazily():
    taken = []

    def stream():
        for table in (_Chunked("a", "b"), _Chunked(), _Chunked("c")):
            taken.append(table)
            yield table

    walk = batches(stream())
    assert next(walk) == "a"
    assert len(taken) == 1
    assert list(walk) == ["b", "c"]
    assert len(taken) == 3


def test_batches_of_an_async_stream_is_an_async_iterator():
    import asyncio

    async def stream():
        yield _Chunked("a")
        yield _Chunked("b", "c")

    async def collect():
        return [batch async for batch in batches(stream())]

    assert asyncio.run(collect()) == ["a", "b", "c"]
