package dev.synapse.bench.arrow;

import dev.synapse.bench.fixture.BenchModules;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * The floor of the Arrow figures: Arrow Java writes the batch's IPC stream, which goes to {@code
 * raw/arrow_pipe.py} over the process's stdin with a 4-byte length and is read there with pyarrow;
 * the answer (a row count, or the transformed table's IPC stream, read back with Arrow Java) comes
 * over stdout. No MessagePack, no Synapse. One thread drives one process.
 */
final class ArrowPipeFloor implements AutoCloseable {
  private final Process process;
  private final OutputStream out;
  private final DataInputStream in;

  private ArrowPipeFloor(Process process) {
    this.process = process;
    this.out = process.getOutputStream();
    this.in = new DataInputStream(process.getInputStream());
  }

  /** Starts the script on {@code python} in the mode {@code count} or {@code transform}. */
  static ArrowPipeFloor start(Path python, String mode) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                python.toString(), BenchModules.rawScript("arrow_pipe.py").toString(), mode)
            .redirectError(Redirect.INHERIT);
    return new ArrowPipeFloor(builder.start());
  }

  /** Sends {@code batch} and returns the row count the script read. */
  long count(VectorSchemaRoot batch) throws IOException {
    send(batch);
    byte[] answer = new byte[8];
    in.readFully(answer);
    return ByteBuffer.wrap(answer).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** Sends {@code batch} and reads the transformed table back into {@code allocator}; its rows. */
  long transform(VectorSchemaRoot batch, BufferAllocator allocator) throws IOException {
    send(batch);
    int size = Integer.reverseBytes(in.readInt());
    byte[] body = new byte[size];
    in.readFully(body);
    long rows = 0;
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayReadableSeekableByteChannel(body), allocator)) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    }
    return rows;
  }

  /** Writes the frame: the IPC stream put into one heap buffer (a bulk copy per Arrow buffer). */
  private void send(VectorSchemaRoot batch) throws IOException {
    HeapChannel body = new HeapChannel(expectedSize(batch));
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(batch, new DictionaryProvider.MapDictionaryProvider(), body)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    ByteBuffer bytes = body.buffer;
    out.write(
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.position()).array());
    out.write(bytes.array(), 0, bytes.position());
    out.flush();
  }

  private static int expectedSize(VectorSchemaRoot batch) {
    long bytes = 4096;
    for (var vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize() + 256L;
    }
    return (int) Math.min(bytes, Integer.MAX_VALUE - 8);
  }

  /** A channel into a heap buffer that doubles when full. */
  private static final class HeapChannel implements WritableByteChannel {
    ByteBuffer buffer;

    HeapChannel(int capacity) {
      buffer = ByteBuffer.allocate(capacity);
    }

    @Override
    public int write(ByteBuffer source) {
      int count = source.remaining();
      if (buffer.remaining() < count) {
        ByteBuffer larger =
            ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + count));
        larger.put(buffer.flip());
        buffer = larger;
      }
      buffer.put(source);
      return count;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Override
  public void close() throws IOException {
    out.close();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    InputStream ignored = process.getInputStream();
    ignored.close();
  }
}
