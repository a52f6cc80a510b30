"""The floor of the Arrow figures: Arrow IPC streams over a raw pipe, no Synapse.

Reads frames (4-byte little-endian length, then an IPC stream) from stdin into one reused buffer;
with the argument "count" answers each with the table's row count (8 bytes, little-endian), with
"transform" with the table plus y = x * 2 + 1 as an IPC stream in a frame of its own.
"""

import struct
import sys

import pyarrow as pa
import pyarrow.compute as pc


def main():
    transform = sys.argv[1] == "transform"
    source = sys.stdin.buffer
    sink = sys.stdout.buffer
    buffer = bytearray(1 << 20)
    while True:
        head = source.read(4)
        if len(head) < 4:
            return
        (size,) = struct.unpack("<I", head)
        if size > len(buffer):
            buffer = bytearray(size)
        view = memoryview(buffer)[:size]
        got = 0
        while got < size:
            count = source.readinto(view[got:])
            if not count:
                return
            got += count
        table = pa.ipc.open_stream(pa.py_buffer(view)).read_all()
        if not transform:
            sink.write(struct.pack("<q", table.num_rows))
        else:
            table = table.append_column("y", pc.add(pc.multiply(table["x"], 2.0), 1.0))
            out = pa.BufferOutputStream()
            with pa.ipc.new_stream(out, table.schema) as writer:
                writer.write_table(table)
            body = out.getvalue()
            sink.write(struct.pack("<I", body.size))
            sink.write(body)
        sink.flush()
        del table, view


main()
