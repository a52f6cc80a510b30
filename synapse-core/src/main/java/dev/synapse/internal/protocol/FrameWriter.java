package dev.synapse.internal.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * Writes frames to a worker's stdin. Small frames are gathered into one buffer so that a burst of
 * calls costs one system call; large bodies go to the stream in slices, which is markedly faster
 * than one huge write on JDK 17. Not thread-safe: one thread at a time (the outbox's lock).
 */
public final class FrameWriter {
  private static final int SLICE = 64 * 1024;

  private final OutputStream out;
  private final byte[] batch = new byte[SLICE];
  private int batched;

  /** Writes to {@code out}. */
  public FrameWriter(OutputStream out) {
    this.out = out;
  }

  /** Adds {@code frame} to the stream; it may stay buffered until {@link #flush()}. */
  public void write(OutboundFrame frame) throws IOException {
    long length = frame.length();
    byte[] header = {
      (byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)
    };
    append(header, 0, 4);
    List<MessageBuffer> parts = frame.parts();
    for (MessageBuffer part : parts) {
      append(part.array(), part.arrayOffset(), part.size());
    }
  }

  private void append(byte[] bytes, int offset, int length) throws IOException {
    if (length <= SLICE - batched) {
      System.arraycopy(bytes, offset, batch, batched, length);
      batched += length;
      return;
    }
    drainBatch();
    for (int done = 0; done < length; done += SLICE) {
      out.write(bytes, offset + done, Math.min(SLICE, length - done));
    }
  }

  private void drainBatch() throws IOException {
    if (batched > 0) {
      out.write(batch, 0, batched);
      batched = 0;
    }
  }

  /** Writes everything buffered and flushes the stream. */
  public void flush() throws IOException {
    drainBatch();
    out.flush();
  }
}
