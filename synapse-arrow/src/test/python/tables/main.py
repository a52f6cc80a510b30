"""Arrow tables through a worker: echo, vectorised transforms, every type pyarrow and Arrow Java
share, pandas in and out."""

import datetime as dt
import decimal
import os

import pyarrow as pa
import pyarrow.compute as pc

import pysynapse
from pysynapse import _codec
from pysynapse.arrow import batches, pandas_input

ROWS = 5


def codec(_):
    return _codec.NAME


def echo(table):
    return table


def num_rows(table):
    return table.num_rows


def schema_of(table):
    return {"schema": str(table.schema), "rows": table.num_rows, "type": type(table).__name__}


def add_column(table):
    """y = x * 2 + 1, as one vectorised column."""
    return table.append_column("y", pc.add(pc.multiply(table["x"], 2.0), 1.0))


def rows_of(table):
    """The rows as plain values (for the simple types)."""
    return table.to_pylist()


def chunked(spec):
    """A table of spec["batches"] batches of spec["rows"] rows each."""
    batches = [
        pa.record_batch({"n": pa.array(range(b * spec["rows"], (b + 1) * spec["rows"]), pa.int64())})
        for b in range(spec["batches"])
    ]
    return pa.Table.from_batches(batches, schema=pa.schema([("n", pa.int64())]))


def record_batch(_):
    return pa.record_batch({"a": pa.array([1, 2, 3], pa.int32())})


def empty(_):
    return all_types(None).slice(0, 0)


def frame_out(_):
    import pandas as pd

    return pd.DataFrame({"x": [1.5, 2.5, None], "name": ["a", "b", None]})


@pandas_input
def frame_in(frame):
    import pandas as pd

    return {"is_data_frame": isinstance(frame, pd.DataFrame), "sum": float(frame["x"].sum())}


@pandas_input
def frame_scaled(frame):
    frame["y"] = frame["x"] * 10
    return frame


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.timezone.utc)


def all_types(_):
    """One column per type Arrow Java and pyarrow share, with a null in every column (and inside
    the nested ones)."""
    d = decimal.Decimal
    columns = {
        "i8": pa.array([-128, 127, None, 0, 1], pa.int8()),
        "i16": pa.array([-32768, 32767, None, 0, 1], pa.int16()),
        "i32": pa.array([-(2**31), 2**31 - 1, None, 0, 1], pa.int32()),
        "i64": pa.array([-(2**63), 2**63 - 1, None, 0, 1], pa.int64()),
        "u8": pa.array([0, 255, None, 7, 1], pa.uint8()),
        "u16": pa.array([0, 65535, None, 7, 1], pa.uint16()),
        "u32": pa.array([0, 2**32 - 1, None, 7, 1], pa.uint32()),
        "u64": pa.array([0, 2**64 - 1, None, 7, 1], pa.uint64()),
        "f16": pa.array([1.5, -2.0, None, 0.0, 65504.0], pa.float16()),
        "f32": pa.array([1.5, -2.25, None, float("inf"), 3.4e38], pa.float32()),
        "f64": pa.array([1.5, -2.25, None, float("-inf"), 1e308], pa.float64()),
        "dec128": pa.array([d("1.23"), d("-99999999.99"), None, d("0"), d("0.01")], pa.decimal128(10, 2)),
        "dec256": pa.array(
            [d("1.23456"), d("-" + "9" * 35 + ".99999"), None, d("0"), d("1")], pa.decimal256(40, 5)
        ),
        "str": pa.array(["", "héllo", None, "日本語", "a" * 100], pa.string()),
        "large_str": pa.array(["x", "", None, "ü", "z"], pa.large_string()),
        "bin": pa.array([b"", b"\x00\xff", None, b"abc", b"\x01"], pa.binary()),
        "large_bin": pa.array([b"q", b"", None, b"\x00", b"zz"], pa.large_binary()),
        "fixed_bin": pa.array([b"abc", b"\x00\x00\x00", None, b"xyz", b"123"], pa.binary(3)),
        "bool": pa.array([True, False, None, True, False], pa.bool_()),
        "date32": pa.array([dt.date(1970, 1, 1), dt.date(2024, 2, 29), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)], pa.date32()),
        "date64": pa.array([dt.date(1970, 1, 1), dt.date(2024, 2, 29), None, dt.date(1900, 1, 1), dt.date(2100, 1, 1)], pa.date64()),
        "time32s": pa.array([0, 86399, None, 3600, 1], pa.time32("s")),
        "time32ms": pa.array([0, 86399999, None, 3600000, 1], pa.time32("ms")),
        "time64us": pa.array([0, 86399999999, None, 1, 2], pa.time64("us")),
        "time64ns": pa.array([0, 86399999999999, None, 1, 2], pa.time64("ns")),
        "ts_s_utc": pa.array([0, 1700000000, None, -1, 2], pa.timestamp("s", tz="UTC")),
        "ts_ms_paris": pa.array([0, 1700000000123, None, -1, 2], pa.timestamp("ms", tz="Europe/Paris")),
        "ts_us_offset": pa.array([0, 1700000000123456, None, -1, 2], pa.timestamp("us", tz="+05:30")),
        "ts_ns_naive": pa.array([0, 1700000000123456789, None, -1, 2], pa.timestamp("ns")),
        "dur_s": pa.array([0, -5, None, 86400, 1], pa.duration("s")),
        "dur_ms": pa.array([0, -5, None, 86400000, 1], pa.duration("ms")),
        "dur_us": pa.array([0, -5, None, 1, 2], pa.duration("us")),
        "dur_ns": pa.array([0, -5, None, 1, 2], pa.duration("ns")),
        "interval_mdn": pa.array(
            [pa.MonthDayNano([1, 2, 3]), pa.MonthDayNano([-1, 0, 0]), None, pa.MonthDayNano([0, 0, 0]), pa.MonthDayNano([0, 0, 1])],
            pa.month_day_nano_interval(),
        ),
        "list_i32": pa.array([[1, None, 3], [], None, [4], [None]], pa.list_(pa.int32())),
        "large_list_str": pa.array([["a"], [None, "b"], None, [], ["c"]], pa.large_list(pa.string())),
        "fixed_list": pa.array([[1, 2], [None, 3], None, [0, 0], [5, 6]], pa.list_(pa.int16(), 2)),
        "struct": pa.array(
            [{"a": 1, "b": "x"}, {"a": None, "b": "y"}, None, {"a": 3, "b": None}, {"a": 4, "b": "z"}],
            pa.struct([("a", pa.int32()), ("b", pa.string())]),
        ),
        "map": pa.array(
            [[("k", 1)], [("a", None), ("b", 2)], None, [], [("z", 9)]], pa.map_(pa.string(), pa.int64())
        ),
        "dict": pa.array(["red", "green", None, "red", "blue"]).dictionary_encode(),
        "null": pa.nulls(ROWS),
        "nested": pa.array(
            [[{"p": [1, 2], "q": utc(2020, 1, 1)}], None, [], [None], [{"p": None, "q": None}]],
            pa.list_(pa.struct([("p", pa.list_(pa.int64())), ("q", pa.timestamp("us", tz="UTC"))])),
        ),
    }
    return pa.table(columns)


def check_all_types(table):
    """True if ``table`` is all_types() exactly, else what differs."""
    expected = all_types(None)
    if table.equals(expected, check_metadata=True):
        return True
    if table.schema != expected.schema:
        return "schema: " + str(table.schema)
    return [
        name for name in expected.column_names if not table[name].equals(expected[name])
    ]


def large(rows):
    import numpy as np

    x = np.arange(rows, dtype=np.float64)
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "x": pa.array(x),
            "s": pa.array([f"name-{i:011d}" for i in range(rows)]),
            "t": pa.array(np.arange(rows, dtype=np.int64), pa.timestamp("us", tz="UTC")),
        }
    )


def rss_kib():
    """This process's resident set (VmRSS) in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


async def rss(_):
    """VmRSS in KiB; async, so it is answered while a plain stream handler waits."""
    return rss_kib()


def pid(_):
    return os.getpid()


def slow_count(tables):
    """Works on each batch of its input (a sum over x): the rows, and VmRSS (KiB) every 100
    batches."""
    rows = 0
    samples = []
    for taken, table in enumerate(tables, 1):
        pc.sum(table["x"])
        rows += table.num_rows
        if taken % 100 == 0:
            samples.append(rss_kib())
    return {"rows": rows, "rss_kib": samples}


def batches_transform(tables):
    """Stream in, stream out: each batch with y = x * 2 + 1."""
    for table in tables:
        yield add_column(table)


def fails_at_batch_5(tables):
    for taken, table in enumerate(tables):
        if taken == 5:
            raise ValueError(f"batch 5 has {table.num_rows} rows I refuse")
    return taken


def rows_of_first_3(tables):
    """Stops reading after 3 batches."""
    rows = 0
    for taken, table in enumerate(tables):
        rows += table.num_rows
        if taken == 2:
            return rows
    return rows


def transform_first_3(tables):
    """A generator that stops after 3 batches of an endless input."""
    for taken, table in enumerate(tables):
        yield add_column(table)
        if taken == 2:
            return


def batch_rows(tables):
    """What batches() gives for a stream of tables: each item's type and rows."""
    return [[type(batch).__name__, batch.num_rows] for batch in batches(tables)]


pysynapse.serve(
    {
        "batch_rows": batch_rows,
        "rss": rss,
        "pid": pid,
        "slow_count": slow_count,
        "batches_transform": batches_transform,
        "fails_at_batch_5": fails_at_batch_5,
        "rows_of_first_3": rows_of_first_3,
        "transform_first_3": transform_first_3,
        "codec": codec,
        "echo": echo,
        "num_rows": num_rows,
        "schema_of": schema_of,
        "add_column": add_column,
        "rows_of": rows_of,
        "chunked": chunked,
        "record_batch": record_batch,
        "empty": empty,
        "frame_out": frame_out,
        "frame_in": frame_in,
        "frame_scaled": frame_scaled,
        "all_types": all_types,
        "check_all_types": check_all_types,
        "large": large,
    }
)
