package dev.synapse.arrow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Reads an IPC stream of plain record batches with each buffer copied into an allocation of its
 * own. Arrow's stream reader copies a batch's whole body into one buffer: for a large table that
 * is one allocation above the pool's chunk size, fresh memory on every read, and touching fresh
 * pages cost several times the copy. Column-sized allocations are smaller and come back from the
 * allocator's free memory on the next read.
 *
 * <p>Streams with dictionary batches or compressed bodies are left to Arrow's reader.
 */
final class BufferwiseReader {
  private BufferwiseReader() {}

  /**
   * The table of {@code stream}, or null if its schema or a batch needs Arrow's own reader (the
   * stream is then not changed and nothing stays allocated).
   */
  static ArrowTable read(byte[] stream, BufferAllocator allocator) throws IOException {
    ByteArrayReadableSeekableByteChannel channel = new ByteArrayReadableSeekableByteChannel(stream);
    ReadChannel in = new ReadChannel(channel);
    MessageMetadataResult first = MessageSerializer.readMessage(in);
    if (first == null || first.headerType() != MessageHeader.Schema) {
      return null;
    }
    Schema schema = MessageSerializer.deserializeSchema(first);
    if (hasDictionaries(schema.getFields())) {
      return null;
    }
    List<VectorSchemaRoot> batches = new ArrayList<>();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      VectorLoader loader = new VectorLoader(root);
      for (MessageMetadataResult message = MessageSerializer.readMessage(in);
          message != null;
          message = MessageSerializer.readMessage(in)) {
        RecordBatch header = plainBatch(message);
        if (header == null) {
          release(batches, null);
          return null;
        }
        long bodyStart = channel.position();
        long bodyEnd = bodyStart + message.getMessageBodyLength();
        if (message.getMessageBodyLength() < 0 || bodyEnd > stream.length) {
          throw new IOException("a record batch's body runs past the end of the stream");
        }
        try (ArrowRecordBatch batch = copyBatch(header, stream, bodyStart, bodyEnd, allocator)) {
          loader.load(batch);
        }
        batches.add(ArrowIpc.moveOut(root, allocator));
        channel.position(bodyEnd);
      }
    } catch (IOException | RuntimeException e) {
      release(batches, e);
      throw e;
    }
    return ArrowTable.owning(schema, batches, new DictionaryProvider.MapDictionaryProvider());
  }

  private static void release(List<VectorSchemaRoot> batches, Exception cause) {
    try {
      AutoCloseables.close(batches);
    } catch (Exception e) {
      if (cause == null) {
        throw new IllegalStateException("Cannot release the batches read", e);
      }
      cause.addSuppressed(e);
    }
  }

  private static RecordBatch plainBatch(MessageMetadataResult message) {
    if (message.headerType() != MessageHeader.RecordBatch) {
      return null;
    }
    RecordBatch header = (RecordBatch) message.getMessage().header(new RecordBatch());
    return header == null || header.compression() != null ? null : header;
  }

  private static ArrowRecordBatch copyBatch(
      RecordBatch header, byte[] stream, long bodyStart, long bodyEnd, BufferAllocator allocator)
      throws IOException {
    List<ArrowFieldNode> nodes = new ArrayList<>(header.nodesLength());
    FieldNode node = new FieldNode();
    for (int i = 0; i < header.nodesLength(); i++) {
      header.nodes(node, i);
      nodes.add(new ArrowFieldNode(node.length(), node.nullCount()));
    }
    List<Long> variadicCounts = new ArrayList<>(header.variadicBufferCountsLength());
    for (int i = 0; i < header.variadicBufferCountsLength(); i++) {
      variadicCounts.add(header.variadicBufferCounts(i));
    }
    List<ArrowBuf> buffers = new ArrayList<>(header.buffersLength());
    try {
      Buffer layout = new Buffer();
      for (int i = 0; i < header.buffersLength(); i++) {
        header.buffers(layout, i);
        long from = bodyStart + layout.offset();
        if (layout.offset() < 0 || layout.length() < 0 || from + layout.length() > bodyEnd) {
          throw new IOException("a buffer of a record batch lies outside the batch's body");
        }
        ArrowBuf buffer = allocator.buffer(layout.length());
        buffers.add(buffer);
        buffer.setBytes(0, stream, Math.toIntExact(from), layout.length());
        buffer.writerIndex(layout.length());
      }
      // The batch takes a reference to each buffer; the ones taken here go in the finally.
      return new ArrowRecordBatch(
          Math.toIntExact(header.length()),
          nodes,
          buffers,
          NoCompressionCodec.DEFAULT_BODY_COMPRESSION,
          variadicCounts,
          false);
    } finally {
      for (ArrowBuf buffer : buffers) {
        buffer.close();
      }
    }
  }

  private static boolean hasDictionaries(List<Field> fields) {
    for (Field field : fields) {
      if (field.getDictionary() != null || hasDictionaries(field.getChildren())) {
        return true;
      }
    }
    return false;
  }
}
