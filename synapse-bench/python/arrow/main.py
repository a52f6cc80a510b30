"""The Arrow figures: a table's row count, a vectorised transform, and the same rows as a list of
maps (the way a table crosses without Arrow)."""

import pyarrow.compute as pc

import pysynapse


def num_rows(table):
    return table.num_rows


def add_column(table):
    """y = x * 2 + 1, one new float64 column."""
    return table.append_column("y", pc.add(pc.multiply(table["x"], 2.0), 1.0))


def map_count(rows):
    return len(rows)


def map_transform(rows):
    for row in rows:
        x = row["x"]
        row["y"] = None if x is None else x * 2.0 + 1.0
    return rows


def batches_transform(tables):
    """Stream in, stream out: each batch with its new column."""
    for table in tables:
        yield add_column(table)


pysynapse.serve(
    {
        "num_rows": num_rows,
        "add_column": add_column,
        "map_count": map_count,
        "map_transform": map_transform,
        "batches_transform": batches_transform,
    }
)
