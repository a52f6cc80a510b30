package dev.synapse.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The rows of Arrow IPC streams that Python answered, as Spark {@link InternalRow}s read in place
 * from the Arrow vectors ({@link ArrowColumnVector}, {@link ColumnarBatch}), each batch checked
 * against the declared output schema first ({@link OutputSchema}).
 *
 * <p>A row is valid until the next call of {@link #hasNext()}/{@link #next()}: the batch under it
 * is freed when the iterator moves past its last row (Spark copies the rows it keeps). Not
 * thread-safe; {@link #close()} frees the current batch.
 */
final class ArrowToRows implements Iterator<InternalRow>, AutoCloseable {
  private final Iterator<byte[]> streams;
  private final OutputSchema expected;
  private final BufferAllocator allocator;
  private ArrowStreamReader reader;
  private Iterator<InternalRow> batchRows = Collections.emptyIterator();
  private long rowsRead;

  ArrowToRows(Iterator<byte[]> streams, OutputSchema expected, BufferAllocator allocator) {
    this.streams = streams;
    this.expected = expected;
    this.allocator = allocator;
  }

  @Override
  public boolean hasNext() {
    while (!batchRows.hasNext()) {
      if (!loadNextBatch()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    rowsRead++;
    return batchRows.next();
  }

  /** How many rows were taken from the answers so far. */
  long rowsRead() {
    return rowsRead;
  }

  private boolean loadNextBatch() {
    try {
      while (true) {
        if (reader != null && reader.loadNextBatch()) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          List<FieldVector> vectors = root.getFieldVectors();
          ColumnVector[] columns = new ColumnVector[vectors.size()];
          for (int i = 0; i < columns.length; i++) {
            columns[i] = new ArrowColumnVector(vectors.get(i));
          }
          expected.checkValues(vectors);
          batchRows = new ColumnarBatch(columns, root.getRowCount()).rowIterator();
          return true;
        }
        closeReader();
        if (!streams.hasNext()) {
          return false;
        }
        reader = new ArrowStreamReader(new ByteArrayInputStream(streams.next()), allocator);
        expected.checkSchema(reader.getVectorSchemaRoot().getSchema());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Python answered a value that is not an Arrow IPC stream", e);
    }
  }

  private void closeReader() throws IOException {
    batchRows = Collections.emptyIterator();
    if (reader != null) {
      reader.close(); // frees the vectors under the last batch's rows too
      reader = null;
    }
  }

  @Override
  public void close() {
    try {
      closeReader();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
