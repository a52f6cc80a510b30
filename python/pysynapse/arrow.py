"""Arrow tables in handlers.

A call input that is an Arrow table (a ``VectorSchemaRoot`` or ``ArrowTable`` on the host) reaches
the handler as a ``pyarrow.Table`` (never a ``RecordBatch``, however many batches made it; each item
of an input stream of tables too); a handler may return a ``pyarrow.Table``, a
``pyarrow.RecordBatch`` or a ``pandas.DataFrame`` (converted with pyarrow), which the host reads as
an ``ArrowTable``. A handler that prefers pandas says so::

    import pysynapse
    from pysynapse.arrow import pandas_input

    @pandas_input
    def score(frame):                      # a pandas.DataFrame
        frame["score"] = frame["x"] * 2.0
        return frame                       # back to the host as an Arrow table

    pysynapse.serve({"score": score})

A handler written in terms of record batches (the shape of PySpark's ``mapInArrow``) walks its input
stream with ``batches``::

    from pysynapse.arrow import batches

    def scale(tables):                     # stream in, stream out
        for batch in batches(tables):      # a pyarrow.RecordBatch at a time
            yield batch.append_column("y", pc.multiply(batch["x"], 2.0))

pyarrow is imported when the first table arrives (or a DataFrame is returned), not at start-up.
"""

import functools

from . import _arrow

__all__ = ["batches", "pandas_input"]


def batches(tables):
    """The record batches of ``tables``, an input stream of tables (the iterator or async iterator a
    handler receives, or any iterable of them): each table's ``to_batches()`` in order, one
    ``pyarrow.RecordBatch`` at a time, taken from the stream as they are needed (an async iterator
    gives an async iterator). A table of no rows has no batches, so it gives none."""
    if hasattr(tables, "__anext__"):
        return _async_batches(tables)
    return (batch for table in tables for batch in table.to_batches())


async def _async_batches(tables):
    async for table in tables:
        for batch in table.to_batches():
            yield batch


def pandas_input(handler):
    """Wraps ``handler`` so that the Arrow tables of its input arrive as pandas DataFrames
    (``pyarrow.Table.to_pandas()``): the payload itself when it is a table, the tables among the
    values of a dict payload or the items of a list payload, and each item of an input stream (an
    iterator or async iterator payload, converted as it is consumed). Other values pass unchanged.
    Works for plain, ``async``, generator and async generator handlers: the wrapper returns what
    ``handler`` returns."""

    @functools.wraps(handler)
    def wrapper(payload):
        return handler(_to_pandas(payload))

    return wrapper


def _table_to_pandas(value):
    pa = _arrow.pyarrow_module()
    if pa is not None and isinstance(value, (pa.Table, pa.RecordBatch)):
        return value.to_pandas()
    return value


def _to_pandas(payload):
    if type(payload) is dict:
        return {key: _table_to_pandas(value) for key, value in payload.items()}
    if type(payload) is list:
        return [_table_to_pandas(value) for value in payload]
    if hasattr(payload, "__anext__"):
        return _async_frames(payload)
    if hasattr(payload, "__next__"):
        return map(_table_to_pandas, payload)
    return _table_to_pandas(payload)


async def _async_frames(tables):
    async for table in tables:
        yield _table_to_pandas(table)
