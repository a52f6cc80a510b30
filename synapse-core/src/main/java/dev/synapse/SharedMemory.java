package dev.synapse;

import dev.synapse.internal.shm.Lease;
import dev.synapse.internal.shm.SharedRegion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Allocates arrays in the shared memory of an instance's worker, which calls then pass without
 * copying them ({@link Synapse#sharedMemory()}; see {@link SharedArray} for what a call may do with
 * one and how long it lives).
 *
 * <p>Thread-safe.
 */
public final class SharedMemory {
  private static final byte[] ZEROS = new byte[64 * 1024];

  private final Supplier<SharedRegion> region;

  SharedMemory(Supplier<SharedRegion> region) {
    this.region = region;
  }

  /**
   * A new array of {@code dtype} and {@code shape} in the worker's shared memory, its bytes zero;
   * in the Java heap where there is none or no room (see {@link SharedArray#isShared()}).
   *
   * @param shape the dimensions; none for a 0-d array of one element
   * @throws IllegalArgumentException if a dimension is negative or the array would have more than
   *     2^31 - 9 bytes
   * @throws IllegalStateException if the instance is not spawned, or disposed
   */
  public SharedArray allocate(DType dtype, int... shape) {
    if (dtype == null) {
      throw new IllegalArgumentException("dtype must not be null");
    }
    long length = dtype.itemSize();
    for (int dimension : shape) {
      if (dimension < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      length = Math.min(length, Integer.MAX_VALUE) * dimension; // clamped: no overflow
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " of "
              + dtype.numpyName()
              + " needs more than 2^31 - 9 bytes");
    }
    SharedRegion current = region.get();
    SharedRegion.Allocation block = current == null ? null : current.allocateLeased(length);
    if (block == null) {
      return new SharedArray(dtype, shape, ByteBuffer.allocate((int) length), Lease.heap());
    }
    ByteBuffer bytes = block.buffer();
    // A reused block holds an earlier array's bytes.
    for (int i = 0; i < length; i += ZEROS.length) {
      bytes.put(i, ZEROS, 0, (int) Math.min(ZEROS.length, length - i));
    }
    return new SharedArray(dtype, shape, bytes, block.lease());
  }

  /**
   * {@code length} bytes in the worker's shared memory, as a one-dimensional {@link DType#UINT8}
   * array (a {@code numpy.uint8} array in Python); see {@link #allocate}.
   */
  public SharedArray allocateBytes(int length) {
    return allocate(DType.UINT8, length);
  }

  /** Whether the current worker has shared memory, so that {@link #allocate} can use it. */
  public boolean isAvailable() {
    return region.get() != null;
  }
}
