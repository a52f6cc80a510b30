package dev.synapse.internal.shm;

import dev.synapse.internal.supervision.SharedThreads;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies large values between the heap and a segment in two halves at once, when the machine has a
 * second core: one memory copy does not use all of the memory's bandwidth, and while one side of a
 * transfer copies, the other side's process has nothing to do.
 *
 * <p>The calling thread copies the first half and offers the second to one helper thread shared by
 * the JVM. Whoever claims the second half first copies it: a caller that finds it unclaimed after
 * its own half copies it too, so a copy never waits behind another copy the helper is busy with,
 * and waits for the helper only once the helper has started on its half.
 */
final class SplitCopy {
  /** Below this, handing half to another thread costs more than it saves. */
  static final int LEAST_BYTES = 8 << 20;

  /** Whether copies are split at all: not on a machine with one core. */
  static final boolean SECOND_CORE = Runtime.getRuntime().availableProcessors() > 1;

  /**
   * One thread, started when a copy offers it a half and gone after a few idle seconds. An offer
   * that waits in its queue while it is busy is usually claimed by its caller first, and then
   * skipped.
   */
  private static final ThreadPoolExecutor HELPER = helper();

  private SplitCopy() {}

  private static ThreadPoolExecutor helper() {
    ThreadPoolExecutor helper =
        new ThreadPoolExecutor(
            1,
            1,
            5,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            SharedThreads.daemon("synapse-copy-"));
    helper.allowCoreThreadTimeOut(true);
    return helper;
  }

  /** A copy of {@code length} bytes starting {@code from} bytes into the value. */
  @FunctionalInterface
  interface Range {
    void copy(int from, int length);
  }

  /**
   * Copies {@code target.length} bytes of {@code segment} at {@code offset} into {@code target}.
   */
  static void toHeap(ByteBuffer segment, int offset, byte[] target) {
    inHalves(target.length, (from, length) -> segment.get(offset + from, target, from, length));
  }

  /**
   * Copies what remains of {@code source} into {@code segment} at {@code offset}. Only a heap
   * buffer is split: a direct one may be readable from its own thread only (a confined arena's).
   */
  static void toSegment(ByteBuffer source, ByteBuffer segment, int offset) {
    int start = source.position();
    Range range = (from, length) -> segment.put(offset + from, source, start + from, length);
    if (source.hasArray()) {
      inHalves(source.remaining(), range);
    } else {
      range.copy(0, source.remaining());
    }
  }

  /** Runs {@code range} over {@code [0, length)}, in two halves on two threads if it is large. */
  static void inHalves(int length, Range range) {
    if (!SECOND_CORE || length < LEAST_BYTES) {
      range.copy(0, length);
      return;
    }
    int half = length / 2;
    SecondHalf second = new SecondHalf(range, half, length - half);
    HELPER.execute(second::copyIfUnclaimed);
    try {
      range.copy(0, half);
    } catch (Throwable e) {
      second.skipIfUnclaimed(); // nothing may still write into the value once this returns
      second.awaitDone();
      throw e;
    }
    second.copyIfUnclaimed();
    second.awaitDone();
    second.rethrow();
  }

  /** The half either thread may copy, exactly once. */
  private static final class SecondHalf {
    private final Range range;
    private final int from;
    private final int length;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Throwable failure;

    SecondHalf(Range range, int from, int length) {
      this.range = range;
      this.from = from;
      this.length = length;
    }

    void copyIfUnclaimed() {
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
      try {
        range.copy(from, length);
      } catch (Throwable e) { // the caller's, as if it had copied this half itself
        failure = e;
      } finally {
        done.complete(null);
      }
    }

    void skipIfUnclaimed() {
      if (claimed.compareAndSet(false, true)) {
        done.complete(null);
      }
    }

    /**
     * Waits for the half to be copied or skipped. A bounded memory copy, so an interrupt does not
     * end the wait ({@code join} keeps it for the caller).
     */
    void awaitDone() {
      done.join();
    }

    void rethrow() {
      Throwable thrown = failure;
      if (thrown instanceof RuntimeException e) {
        throw e;
      } else if (thrown instanceof Error e) {
        throw e;
      }
    }
  }
}
