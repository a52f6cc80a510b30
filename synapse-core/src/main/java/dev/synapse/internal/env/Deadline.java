package dev.synapse.internal.env;

import java.time.Duration;

/**
 * A point in {@link System#nanoTime()} time by which a step must be done, or no limit at all. The
 * steps of a preparation share one deadline, so a slow venv creation leaves less time for pip.
 */
record Deadline(long atNanos, boolean bounded) {
  /** A deadline {@code timeout} from now; {@link Duration#ZERO} means none. */
  static Deadline after(Duration timeout) {
    if (timeout.isZero()) {
      return none();
    }
    try {
      return new Deadline(System.nanoTime() + timeout.toNanos(), true);
    } catch (ArithmeticException tooLong) {
      return none();
    }
  }

  static Deadline none() {
    return new Deadline(0, false);
  }

  /** Nanoseconds left, possibly negative; {@link Long#MAX_VALUE} when there is no limit. */
  long remainingNanos() {
    return bounded ? atNanos - System.nanoTime() : Long.MAX_VALUE;
  }

  boolean expired() {
    return remainingNanos() <= 0;
  }
}
