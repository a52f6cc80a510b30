package dev.synapse.arrow;

import dev.synapse.SynapseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * Tables to and from the Arrow IPC stream format (schema, dictionaries, record batches,
 * end-of-stream), the body of extension code 2. Writing copies each buffer once, into the body;
 * reading copies each once, out of it, and then moves the buffers into the caller's allocator
 * without copying.
 */
final class ArrowIpc {
  private ArrowIpc() {}

  /** The IPC stream of one batch, without dictionaries. */
  static ByteBuffer write(VectorSchemaRoot root) throws IOException {
    ByteSink sink = new ByteSink(expectedSize(List.of(root)));
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(root, new DictionaryProvider.MapDictionaryProvider(), sink)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return sink.bytes();
  }

  /**
   * The IPC stream of {@code table}: its schema, dictionaries and batches. {@code fallback} is the
   * allocator of the staging root when the table has no buffers to take it from.
   */
  static ByteBuffer write(ArrowTable table, BufferAllocator fallback) throws IOException {
    List<VectorSchemaRoot> batches = table.batches();
    ByteSink sink = new ByteSink(expectedSize(batches));
    // The writer writes whatever its root holds: each batch is loaded into one root in turn (the
    // root takes references to the batch's buffers, it copies nothing, which Arrow allows only
    // within one root allocator: the staging root takes the batches' own).
    BufferAllocator staging =
        batches.isEmpty() || batches.get(0).getFieldVectors().isEmpty()
            ? fallback
            : batches.get(0).getFieldVectors().get(0).getAllocator();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(table.schema(), staging);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, table.dictionaries(), sink)) {
      writer.start();
      VectorLoader loader = new VectorLoader(root);
      for (VectorSchemaRoot batch : batches) {
        try (ArrowRecordBatch buffers = new VectorUnloader(batch).getRecordBatch()) {
          loader.load(buffers);
        }
        writer.writeBatch();
      }
      writer.end();
    }
    return sink.bytes();
  }

  private static long expectedSize(List<VectorSchemaRoot> batches) {
    long bytes = 4096;
    for (VectorSchemaRoot batch : batches) {
      for (FieldVector vector : batch.getFieldVectors()) {
        bytes += vector.getBufferSize() + 256L;
      }
    }
    return bytes;
  }

  /**
   * Reads an IPC stream into buffers of {@code allocator}.
   *
   * @throws SynapseException if {@code body} is not an IPC stream, or the allocator refuses the
   *     memory; nothing stays allocated then
   */
  static ArrowTable read(byte[] body, BufferAllocator allocator) {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    DictionaryProvider.MapDictionaryProvider dictionaries =
        new DictionaryProvider.MapDictionaryProvider();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayReadableSeekableByteChannel(body), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        batches.add(moveOut(root, allocator));
      }
      for (Dictionary dictionary : reader.getDictionaryVectors().values()) {
        dictionaries.put(
            new Dictionary(moveOut(dictionary.getVector(), allocator), dictionary.getEncoding()));
      }
      return ArrowTable.owning(root.getSchema(), batches, dictionaries);
    } catch (IOException | RuntimeException e) {
      releaseQuietly(batches, dictionaries, e);
      throw new SynapseException(
          "Cannot read the Arrow table (extension code 2): " + e.getMessage(), e);
    }
  }

  /** The batches of {@code table} as one root in {@code allocator}; closes the table. */
  static VectorSchemaRoot concatenate(ArrowTable table, BufferAllocator allocator) {
    try (table) {
      if (!table.dictionaries().getDictionaryIds().isEmpty()) {
        throw new SynapseException(
            "The Arrow table has dictionary-encoded columns, which a VectorSchemaRoot cannot carry"
                + " with their dictionaries: ask for an ArrowTable");
      }
      List<VectorSchemaRoot> batches = table.batches();
      if (batches.size() == 1) {
        return moveOut(batches.get(0), allocator);
      }
      VectorSchemaRoot joined = VectorSchemaRoot.create(table.schema(), allocator);
      try {
        VectorSchemaRootAppender.append(false, joined, batches.toArray(new VectorSchemaRoot[0]));
        return joined;
      } catch (RuntimeException e) {
        joined.close();
        throw e;
      }
    }
  }

  /**
   * A root holding the buffers of {@code root}, which is left empty, accounted to {@code
   * allocator}.
   */
  private static VectorSchemaRoot moveOut(VectorSchemaRoot root, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors().size());
    try {
      for (FieldVector vector : root.getFieldVectors()) {
        vectors.add(moveOut(vector, allocator));
      }
    } catch (RuntimeException e) {
      releaseQuietly(vectors, null, e);
      throw e;
    }
    return new VectorSchemaRoot(root.getSchema(), vectors, root.getRowCount());
  }

  private static FieldVector moveOut(FieldVector vector, BufferAllocator allocator) {
    TransferPair pair = vector.getTransferPair(allocator);
    pair.transfer();
    return (FieldVector) pair.getTo();
  }

  private static void releaseQuietly(
      List<? extends AutoCloseable> owned,
      DictionaryProvider.MapDictionaryProvider dictionaries,
      Exception cause) {
    List<AutoCloseable> all = new ArrayList<>(owned);
    if (dictionaries != null) {
      for (long id : dictionaries.getDictionaryIds()) {
        all.add(dictionaries.lookup(id).getVector());
      }
    }
    try {
      AutoCloseables.close(all);
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}
