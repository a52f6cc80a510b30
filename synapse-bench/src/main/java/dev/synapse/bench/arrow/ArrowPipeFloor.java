package dev.synapse.bench.arrow;

import dev.synapse.bench.fixture.BenchModules;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * The floor of the Arrow figures: Arrow Java writes the batch's IPC stream, which goes to {@code
 * raw/arrow_pipe.py} over the process's stdin with a 4-byte length and is read there with pyarrow;
 * the answer (a row count, or the transformed table's IPC stream, read back with Arrow Java) comes
 * over stdout. No MessagePack, no Synapse. One thread drives one process.
 *
 * <p>The pipe is written and read in pieces of at most {@link #PIECE} bytes: the JDK's process
 * streams copy each {@code write}/{@code read} through a native buffer as large as the call's
 * length, allocated for that call, so one 44 MB write (or a {@code readFully} of 44 MB, one
 * allocation per 64 KiB the pipe hands over) took 0.7–2.4 s where 1 MiB pieces take about 20 ms.
 * Both frames' arrays are kept between operations, as a harness that does only this would.
 */
final class ArrowPipeFloor implements AutoCloseable {
  static final int PIECE = 1 << 20;

  private final Process process;
  private final OutputStream out;
  private final InputStream in;
  private final HeapChannel request = new HeapChannel();
  private byte[] answer = new byte[PIECE];

  private ArrowPipeFloor(Process process) {
    this.process = process;
    this.out = process.getOutputStream();
    this.in = process.getInputStream();
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
    readFully(answer, 8);
    return ByteBuffer.wrap(answer, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** Sends {@code batch} and reads the transformed table back into {@code allocator}; its rows. */
  long transform(VectorSchemaRoot batch, BufferAllocator allocator) throws IOException {
    send(batch);
    readFully(answer, 4);
    int size = ByteBuffer.wrap(answer, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (answer.length < size) {
      answer = new byte[size];
    }
    readFully(answer, size);
    long rows = 0;
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ArrayChannel(ByteBuffer.wrap(answer, 0, size)), allocator)) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    }
    return rows;
  }

  /** Writes the frame: the IPC stream put into one heap array (a bulk copy per Arrow buffer). */
  private void send(VectorSchemaRoot batch) throws IOException {
    request.clear(expectedSize(batch) + 4);
    request.buffer.position(4);
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(batch, new DictionaryProvider.MapDictionaryProvider(), request)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    ByteBuffer frame = request.buffer;
    int length = frame.position();
    frame.order(ByteOrder.LITTLE_ENDIAN).putInt(0, length - 4);
    for (int offset = 0; offset < length; offset += PIECE) {
      out.write(frame.array(), offset, Math.min(PIECE, length - offset));
    }
    out.flush();
  }

  private void readFully(byte[] into, int length) throws IOException {
    for (int offset = 0; offset < length; ) {
      int count = in.read(into, offset, Math.min(PIECE, length - offset));
      if (count < 0) {
        throw new EOFException("raw/arrow_pipe.py ended its output mid-frame");
      }
      offset += count;
    }
  }

  private static int expectedSize(VectorSchemaRoot batch) {
    long bytes = 4096;
    for (var vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize() + 256L;
    }
    return (int) Math.min(bytes, Integer.MAX_VALUE - 16);
  }

  /** A channel into a heap buffer, kept between frames, that doubles when full. */
  private static final class HeapChannel implements WritableByteChannel {
    ByteBuffer buffer = ByteBuffer.allocate(PIECE);

    void clear(int capacity) {
      if (buffer.capacity() < capacity) {
        buffer = ByteBuffer.allocate(capacity);
      }
      buffer.clear();
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

  /** A channel reading the bytes of one buffer (a part of the kept answer array). */
  private static final class ArrayChannel implements ReadableByteChannel {
    private final ByteBuffer source;

    ArrayChannel(ByteBuffer source) {
      this.source = source;
    }

    @Override
    public int read(ByteBuffer target) {
      if (!source.hasRemaining()) {
        return -1;
      }
      int count = Math.min(source.remaining(), target.remaining());
      target.put(source.slice(source.position(), count));
      source.position(source.position() + count);
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
    in.close();
  }
}
