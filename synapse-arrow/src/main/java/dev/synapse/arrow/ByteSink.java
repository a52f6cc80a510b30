package dev.synapse.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The channel an IPC stream is written to: one growing array, so that each buffer is copied once
 * and the body needs no final copy ({@link java.nio.channels.Channels#newChannel} would copy
 * through a small buffer first, and {@code ByteArrayOutputStream.toByteArray} once more).
 */
final class ByteSink implements WritableByteChannel {
  /** The largest Java array; a MessagePack ext value could be 4 GiB, a frame is smaller anyway. */
  private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  private byte[] bytes;
  private int size;
  private boolean open = true;

  ByteSink(long expectedBytes) {
    bytes = new byte[(int) Math.min(Math.max(expectedBytes, 1024), MAX_BYTES)];
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    int count = source.remaining();
    if (count > bytes.length - size) {
      grow(count);
    }
    source.get(bytes, size, count);
    size += count;
    return count;
  }

  private void grow(int count) throws IOException {
    long needed = (long) size + count;
    if (needed > MAX_BYTES) {
      throw new IOException(
          "the Arrow IPC stream would exceed " + MAX_BYTES + " bytes, more than one value holds");
    }
    long capacity = Math.min(MAX_BYTES, Math.max(needed, (long) bytes.length * 2));
    byte[] larger = new byte[(int) capacity];
    System.arraycopy(bytes, 0, larger, 0, size);
    bytes = larger;
  }

  /** What was written. */
  ByteBuffer bytes() {
    return ByteBuffer.wrap(bytes, 0, size);
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
