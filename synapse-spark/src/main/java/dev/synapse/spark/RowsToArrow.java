package dev.synapse.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * A partition's rows as Arrow record batches of at most {@code batchSize} rows, each one written as
 * a complete Arrow IPC stream (schema, the batch, end marker): the body of an Arrow extension value
 * (code 2 of docs/protocol.md).
 *
 * <p>The rows are filled into vectors by Spark's own {@link ArrowWriter}, with Spark's mapping of
 * its types to Arrow's ({@link ArrowUtils#toArrowSchema}); one {@link VectorSchemaRoot} is reused
 * for every batch. Used by one thread at a time (Synapse's feeder thread, see {@link TaskStream});
 * {@link #close()} frees the vectors.
 */
final class RowsToArrow implements Iterator<byte[]>, AutoCloseable {
  private final Iterator<InternalRow> rows;
  private final int batchSize;
  private final VectorSchemaRoot root;
  private final ArrowWriter writer;
  private volatile long rowsWritten; // written by Synapse's feeder thread, read by the task's

  RowsToArrow(
      Iterator<InternalRow> rows,
      StructType schema,
      String timeZone,
      int batchSize,
      BufferAllocator allocator) {
    this.rows = rows;
    this.batchSize = batchSize;
    this.root =
        VectorSchemaRoot.create(ArrowUtils.toArrowSchema(schema, timeZone, true, false), allocator);
    this.writer = ArrowWriter.create(root);
  }

  @Override
  public boolean hasNext() {
    return rows.hasNext();
  }

  /** The next batch of rows as an Arrow IPC stream. */
  @Override
  public byte[] next() {
    if (!rows.hasNext()) {
      throw new NoSuchElementException();
    }
    writer.reset();
    int count = 0;
    while (count < batchSize && rows.hasNext()) {
      writer.write(rows.next());
      count++;
    }
    writer.finish();
    rowsWritten += count;
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream(
            Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, writer.sizeInBytes() + 1024)));
    try (ArrowStreamWriter stream = new ArrowStreamWriter(root, null, bytes)) {
      stream.start();
      stream.writeBatch();
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Writing an Arrow batch to memory failed", e);
    }
    return bytes.toByteArray();
  }

  /** How many rows the batches so far carried. */
  long rowsWritten() {
    return rowsWritten;
  }

  @Override
  public void close() {
    root.close();
  }
}
