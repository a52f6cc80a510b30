package dev.synapse;

import dev.synapse.internal.shm.Lease;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An array in the shared memory of a worker, made by {@link SharedMemory#allocate}: the caller
 * writes it through {@link #buffer()}, and a call sent it (or its {@link #array()}) passes only a
 * reference, so the Python handler gets a {@code numpy.ndarray} over the same memory, not a copy,
 * and what the handler writes into it is here when the call returns.
 *
 * <pre>{@code
 * try (SharedArray samples = synapse.sharedMemory().allocate(DType.FLOAT64, 1024, 1024)) {
 *   samples.buffer().asDoubleBuffer().put(data);
 *   synapse.invoke("normalize", samples);          // the handler writes in place
 *   double first = samples.buffer().getDouble(0);  // its result, without a copy
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> The array holds its block until {@link #close()}. Closing frees the block as
 * soon as the calls it was sent to have ended (at once if there are none); afterwards {@link
 * #array()} and {@link #buffer()} throw {@link IllegalStateException}, as do the methods of the
 * {@link NDArray} of {@link #array()} (and of everything made from it) that read the elements, and
 * a call sent it fails with {@link EncodingException}. Buffers taken earlier must no longer be
 * used: their bytes may belong to another array. An array that is never closed is freed once it is
 * unreachable (or, at the latest, with its instance); do not rely on that.
 *
 * <p><b>What the worker may do.</b> The handler's {@code ndarray} is writable while the call runs,
 * and read-only once the last call sent the array has ended; its memory may be reused after {@link
 * #close()}, so a handler that keeps data beyond its call copies it ({@code arr.copy()}). Do not
 * write the array from Java while a call that was sent it runs, unless the handler expects it.
 *
 * <p><b>Other workers.</b> The block belongs to the worker that was running when it was allocated.
 * Sent to any other worker (its replacement after a restart, a {@link SynapsePool}'s worker, a
 * seed-style module), the array is copied like any {@link NDArray}: the handler gets a copy, and
 * what it writes does not come back. An array whose worker ended stays readable and writable here
 * until it is closed: its memory stays mapped in this process.
 *
 * <p>Where the worker has no shared memory (turned off, no usable directory, a seed-style module,
 * or the region is full), {@link SharedMemory#allocate} returns an array in the Java heap instead
 * ({@link #isShared()} false), which behaves the same but is copied when sent.
 *
 * <p>Thread-safe, but the bytes are not synchronized: writers must not race with each other or with
 * the handler.
 */
public final class SharedArray implements AutoCloseable {
  private final ByteBuffer bytes;
  private final NDArray array;
  private final Lease lease;

  SharedArray(DType dtype, int[] shape, ByteBuffer bytes, Lease lease) {
    this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
    this.lease = lease;
    NDArray plain =
        NDArray.wrap(dtype, bytes.duplicate(), shape.length == 0 ? new int[] {1} : shape);
    this.array = (shape.length == 0 ? plain.reshape() : plain).leasing(lease);
  }

  /**
   * The array as an {@link NDArray} over the same memory (not a copy), to send or to read.
   *
   * @throws IllegalStateException if this array is closed
   */
  public NDArray array() {
    lease.checkOpen();
    return array;
  }

  /**
   * A writable little-endian view of the elements' bytes in C order, positioned at 0; each call
   * returns a new view. Nothing is copied.
   *
   * @throws IllegalStateException if this array is closed
   */
  public ByteBuffer buffer() {
    lease.checkOpen();
    return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The element type. */
  public DType dtype() {
    return array.dtype();
  }

  /** A copy of the dimensions. */
  public int[] shape() {
    return array.shape();
  }

  /**
   * Whether the bytes are in the worker's shared memory (else in the Java heap, copied when sent).
   */
  public boolean isShared() {
    return lease.isShared();
  }

  /** Gives the memory back; see the class comment. Idempotent and thread-safe. */
  @Override
  public void close() {
    lease.close();
  }

  @Override
  public String toString() {
    return "SharedArray[" + (lease.isOpen() ? array.toString() : "closed") + "]";
  }
}
