package dev.synapse.internal.shm;

import java.lang.ref.Cleaner;

/**
 * What an array in shared memory holds: its block, until {@link #close()} or, as a safety net,
 * until the array is unreachable (a {@link Cleaner}). Every {@code NDArray} made from the same
 * array shares one lease. A lease over heap memory (no region could give a block) only remembers
 * that it is closed, so that use after close fails the same way everywhere.
 *
 * <p>Thread-safe.
 */
public final class Lease {
  private static final Cleaner CLEANER = Cleaner.create();

  private final LeasedBlock block;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closed;

  private Lease(LeasedBlock block) {
    this.block = block;
    this.cleanable = block == null ? null : CLEANER.register(this, block::close);
  }

  /** A lease of {@code block}. */
  static Lease of(LeasedBlock block) {
    return new Lease(block);
  }

  /** A lease of heap memory: closing it frees nothing. */
  public static Lease heap() {
    return new Lease(null);
  }

  /** Whether the bytes are in shared memory (else in the Java heap). */
  public boolean isShared() {
    return block != null;
  }

  /** Whether {@link #close()} has not been called. */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Throws unless the lease is open.
   *
   * @throws IllegalStateException if it is closed
   */
  public void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "The shared-memory array is closed: its memory may have been reused");
    }
  }

  /** Gives the block back (once the calls it was lent to have ended); idempotent. */
  public void close() {
    closed = true;
    if (cleanable != null) {
      cleanable.clean();
    }
  }

  /** The block, or null for heap memory. */
  LeasedBlock block() {
    return block;
  }
}
