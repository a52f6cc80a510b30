package dev.synapse.internal.supervision;

/**
 * Where the supervision parts read the time, in nanoseconds as {@link System#nanoTime()} counts
 * them. Production code uses {@link #SYSTEM}; tests pass a ticker they advance by hand, so that
 * restart windows and backoffs are checked without sleeping.
 */
@FunctionalInterface
public interface Ticker {
  /** The system's monotonic clock. */
  Ticker SYSTEM = System::nanoTime;

  /** The current time in nanoseconds; only differences between two readings mean anything. */
  long read();
}
