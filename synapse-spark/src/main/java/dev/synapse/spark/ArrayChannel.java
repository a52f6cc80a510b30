package dev.synapse.spark;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A channel that writes into one byte array, copying each buffer once (from off-heap Arrow memory
 * too), and grows the array only if the first guess of its size was short.
 */
final class ArrayChannel implements WritableByteChannel {
  private byte[] bytes;
  private int size;

  ArrayChannel(long expectedSize) {
    bytes = new byte[Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, expectedSize))];
  }

  @Override
  public int write(ByteBuffer source) {
    int length = source.remaining();
    if (size + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + length, bytes.length * 2));
    }
    source.get(bytes, size, length);
    size += length;
    return length;
  }

  /** What was written: the array itself when the guess was exact. */
  byte[] toArray() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public void close() {}
}
