"""Arrow tables on the wire: the pyarrow side of the "Arrow table" ext type (code 2).

::

    decode: ext 2 (Arrow IPC stream: schema, dictionaries, batches, end) ──► table_value():
            a pyarrow.Table over one copy of the body (ValueError naming pyarrow if missing)
    encode: pyarrow.Table / RecordBatch / pandas.DataFrame ──► ipc_stream(): the table's IPC
            stream (a DataFrame converted with pyarrow first) ──► _codec: ext 2 = those bytes

docs/protocol.md specifies the format. A value decodes to a ``pyarrow.Table`` whatever the number
of batches that made it (``table.to_batches()`` gives them back), so a handler sees one type.
pyarrow is imported the first time a table arrives, never at start-up, and an object can only be a
table to encode if pyarrow (or pandas) is in ``sys.modules`` already; a worker that never sees a
table never imports it, and one without pyarrow answers a call that sends it a table with an error
naming the package to install.
"""

import sys

__all__ = ["EXT_CODE", "encodes", "ipc_stream", "pyarrow_module", "table_value"]

EXT_CODE = 2

_MISSING = (
    "cannot decode an Arrow table (ext type 2): pyarrow is not installed in this worker's Python "
    "(pip install pyarrow, or add pyarrow to the module's requirements.txt)"
)
_NOT_LOADED = object()
_pyarrow = _NOT_LOADED


def pyarrow_module():
    """pyarrow, imported on first use, or None if it cannot be imported (the result is kept)."""
    global _pyarrow
    if _pyarrow is _NOT_LOADED:
        try:
            import pyarrow
            import pyarrow.ipc  # noqa: F401 - a submodule pyarrow does not always import
        except ImportError:
            pyarrow = None
        _pyarrow = pyarrow
    return _pyarrow


def table_value(payload):
    """The ``pyarrow.Table`` an ext 2 payload (bytes-like) holds; the payload is copied once, so
    the table does not refer to the caller's buffer. ValueError if pyarrow is missing or the
    payload is not an Arrow IPC stream."""
    pa = pyarrow_module()
    if pa is None:
        raise ValueError(_MISSING)
    try:
        return pa.ipc.open_stream(_owned_buffer(pa, payload)).read_all()
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(f"malformed Arrow table (ext type 2): {exc}") from None


def _owned_buffer(pa, payload):
    """``payload`` as a pyarrow buffer the table may keep: bytes as they are, anything else (a view
    of the frame or of shared memory, which is reused) copied into pyarrow's memory pool, which
    keeps freed memory for the next table where ``bytes()`` would map fresh pages each time."""
    if type(payload) is bytes:
        return pa.py_buffer(payload)
    view = memoryview(payload).cast("B")
    buffer = pa.allocate_buffer(view.nbytes)
    memoryview(buffer).cast("B")[:] = view
    return buffer


def encodes(obj):
    """Whether ``obj`` is a pyarrow Table or RecordBatch, or a pandas DataFrame; imports nothing."""
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(obj, (pa.Table, pa.RecordBatch)):
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def ipc_stream(obj):
    """The Arrow IPC stream of ``obj`` (one that ``encodes``) as a ``pyarrow.Buffer``.

    A DataFrame is converted with ``pyarrow.Table.from_pandas`` (its index kept as pandas does,
    as a column when it is not a plain range); TypeError if that needs pyarrow and it is missing,
    or a column does not convert.
    """
    pa = sys.modules.get("pyarrow") or pyarrow_module()
    if pa is None:
        raise TypeError(
            f"cannot encode object of type {type(obj).__module__}.{type(obj).__qualname__}: "
            "a pandas DataFrame travels as an Arrow table, which needs pyarrow "
            "(pip install pyarrow)"
        )
    if not isinstance(obj, (pa.Table, pa.RecordBatch)):
        try:
            obj = pa.Table.from_pandas(obj)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise TypeError(
                f"cannot encode the pandas DataFrame as an Arrow table: {exc}"
            ) from None
    # Measured first (no bytes are copied for that), then written into a buffer of that size: a
    # growing output stream would copy what it holds each time it grows.
    size = pa.MockOutputStream()
    _write_stream(pa, size, obj)
    buffer = pa.allocate_buffer(size.size())
    _write_stream(pa, pa.FixedSizeBufferWriter(buffer), obj)
    return buffer


def _write_stream(pa, sink, obj):
    with pa.ipc.new_stream(sink, obj.schema) as writer:
        writer.write(obj)
