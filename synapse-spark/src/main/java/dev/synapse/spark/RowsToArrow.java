package dev.synapse.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * A partition's rows as Arrow record batches of at most {@code batchSize} rows, each one written as
 * a complete Arrow IPC stream (schema, the batch, end marker): the body of an Arrow extension value
 * (code 2 of docs/protocol.md). The schema message is serialized once; each batch is written
 * straight into one array of about its size (no stream writer per batch, no growing buffer).
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
  private final VectorUnloader unloader;
  private final byte[] schemaMessage; // the stream's first message, the same for every batch
  private final int metadataAllowance;
  private long lastBodyLength = -1;
  private int lastSize;
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
    this.unloader = new VectorUnloader(root);
    this.schemaMessage = schemaMessage(root.getSchema());
    // a record batch's metadata: a header, and 16 bytes per field node and per buffer
    this.metadataAllowance = 256 + 16 * 8 * root.getSchema().getFields().size();
  }

  private static byte[] schemaMessage(Schema schema) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(
          new WriteChannel(Channels.newChannel(bytes)), schema, IpcOption.DEFAULT);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing an Arrow schema to memory failed", e);
    }
    return bytes.toByteArray();
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
    try (ArrowRecordBatch batch = unloader.getRecordBatch()) {
      long bodyLength = batch.computeBodyLength();
      // a batch with the body of the last one has its size: the array is then exactly filled
      ArrayChannel bytes =
          new ArrayChannel(
              bodyLength == lastBodyLength
                  ? lastSize
                  : schemaMessage.length + metadataAllowance + bodyLength);
      WriteChannel channel = new WriteChannel(bytes);
      channel.write(schemaMessage);
      MessageSerializer.serialize(channel, batch, IpcOption.DEFAULT);
      ArrowStreamWriter.writeEndOfStream(channel, IpcOption.DEFAULT);
      byte[] stream = bytes.toArray();
      lastBodyLength = bodyLength;
      lastSize = stream.length;
      return stream;
    } catch (IOException e) {
      throw new UncheckedIOException("Writing an Arrow batch to memory failed", e);
    }
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
