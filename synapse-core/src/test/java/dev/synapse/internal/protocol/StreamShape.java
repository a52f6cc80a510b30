package dev.synapse.internal.protocol;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * How a stream hands out its bytes: all at once, one byte per read, or in chunks of random sizes,
 * as a pipe may. Framing bugs hide in the last two.
 */
enum StreamShape {
  WHOLE,
  ONE_BYTE,
  RANDOM_CHUNKS;

  InputStream over(byte[] bytes, Random random) {
    return switch (this) {
      case WHOLE -> new ByteArrayInputStream(bytes);
      case ONE_BYTE -> new Chunked(bytes, () -> 1);
      case RANDOM_CHUNKS -> new Chunked(bytes, () -> 1 + random.nextInt(64));
    };
  }

  /** Never returns more than the next chunk size per read. */
  private static final class Chunked extends ByteArrayInputStream {
    private final IntSupplier chunk;

    Chunked(byte[] bytes, IntSupplier chunk) {
      super(bytes);
      this.chunk = chunk;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) {
      return super.read(buffer, offset, Math.min(length, chunk.getAsInt()));
    }
  }
}
