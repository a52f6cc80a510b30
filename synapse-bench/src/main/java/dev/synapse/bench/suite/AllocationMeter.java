package dev.synapse.bench.suite;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Counts the Java heap allocated, and the threads started, while a piece of code runs N times. The
 * allocation is the sum of {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} over all
 * live threads of the JVM, so the bytes that Synapse's reader and writer threads allocate for a
 * call are counted along with the caller's. A thread that ends between the two readings takes its
 * count with it, which is why the threads started are counted too: for a steady stream of calls
 * both should be what a call costs, and the second zero.
 */
final class AllocationMeter {
  /**
   * What N runs cost, per run: heap bytes, threads started, and wall-clock microseconds (the mean,
   * and the median and 99th percentile of the runs timed one by one).
   */
  record PerCall(
      double bytes, double threadsStarted, double micros, double p50Micros, double p99Micros) {}

  /** One run of the code measured. */
  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  private final com.sun.management.ThreadMXBean threads;

  AllocationMeter() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean extended)
        || !extended.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("This JVM cannot count allocated bytes per thread");
    }
    extended.setThreadAllocatedMemoryEnabled(true);
    this.threads = extended;
  }

  /**
   * Runs {@code call} {@code times} times and returns the cost of one. Each run is timed on its own
   * (two {@code System.nanoTime()} reads, which allocate nothing), into an array made before the
   * count starts, so that the median and the 99th percentile can be set against JMH's.
   */
  PerCall measure(int times, Call call) throws Exception {
    long[] nanos = new long[times];
    long startedBefore = threads.getTotalStartedThreadCount();
    long before = allocatedByAllThreads();
    long start = System.nanoTime();
    long previous = start;
    for (int i = 0; i < times; i++) {
      call.run();
      long now = System.nanoTime();
      nanos[i] = now - previous;
      previous = now;
    }
    long elapsed = previous - start;
    long after = allocatedByAllThreads();
    long startedAfter = threads.getTotalStartedThreadCount();
    Arrays.sort(nanos);
    return new PerCall(
        (double) (after - before) / times,
        (double) (startedAfter - startedBefore) / times,
        elapsed / 1e3 / times,
        percentile(nanos, 50) / 1e3,
        percentile(nanos, 99) / 1e3);
  }

  /** The nearest-rank {@code percentile} (0–100] of {@code sorted}. */
  private static long percentile(long[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private long allocatedByAllThreads() {
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      if (bytes > 0) {
        total += bytes;
      }
    }
    return total;
  }
}
