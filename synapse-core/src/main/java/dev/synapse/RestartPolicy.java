package dev.synapse;

import java.time.Duration;
import java.util.Objects;

/**
 * What happens when a worker dies on its own (it crashed, was killed, or exited). Calls that were
 * in flight on the dead worker always fail with {@link WorkerExitedException}; the policy decides
 * whether later calls get a new worker.
 *
 * <p>With {@link #never()} (the default) the instance stays down and every call fails with the same
 * {@link WorkerExitedException} until {@link Synapse#spawn} is called again. With {@link #onCrash}
 * a new worker is started after a backoff that doubles from {@code initialBackoff} up to {@code
 * maxBackoff}, as long as fewer than {@code maxRestarts} restarts happened within {@code window};
 * calls made meanwhile wait for it. Immutable and thread-safe.
 */
public final class RestartPolicy {
  private static final RestartPolicy NEVER =
      new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

  private final int maxRestarts;
  private final Duration window;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  private RestartPolicy(
      int maxRestarts, Duration window, Duration initialBackoff, Duration maxBackoff) {
    this.maxRestarts = maxRestarts;
    this.window = window;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Never restart: a dead worker stays dead until the next {@link Synapse#spawn}. */
  public static RestartPolicy never() {
    return NEVER;
  }

  /**
   * Restart a crashed worker, at most {@code maxRestarts} times within any {@code window}.
   *
   * @throws IllegalArgumentException if {@code maxRestarts < 1}, a duration is negative, the window
   *     is zero, or {@code maxBackoff < initialBackoff}
   */
  public static RestartPolicy onCrash(
      int maxRestarts, Duration window, Duration initialBackoff, Duration maxBackoff) {
    if (maxRestarts < 1) {
      throw new IllegalArgumentException("maxRestarts cannot be less than 1, was " + maxRestarts);
    }
    requirePositive("window", window);
    requireNotNegative("initialBackoff", initialBackoff);
    requireNotNegative("maxBackoff", maxBackoff);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff ("
              + maxBackoff
              + ") cannot be less than initialBackoff ("
              + initialBackoff
              + ")");
    }
    return new RestartPolicy(maxRestarts, window, initialBackoff, maxBackoff);
  }

  /** Restart up to 5 times a minute, waiting 100 ms before the first restart and at most 5 s. */
  public static RestartPolicy onCrash() {
    return onCrash(5, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** Whether this policy restarts crashed workers at all. */
  public boolean restarts() {
    return maxRestarts > 0;
  }

  /** The most restarts allowed within {@link #window()}; 0 for {@link #never()}. */
  public int maxRestarts() {
    return maxRestarts;
  }

  /** The sliding window in which {@link #maxRestarts()} counts. */
  public Duration window() {
    return window;
  }

  /** The wait before the first restart in a row. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The longest wait between restarts. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** The wait before restart number {@code attempt} (1-based) of a run of restarts. */
  public Duration backoff(int attempt) {
    Duration wait = initialBackoff;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }

  static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  static void requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " cannot be negative, was " + value);
    }
  }

  @Override
  public String toString() {
    return restarts()
        ? "RestartPolicy.onCrash("
            + maxRestarts
            + " per "
            + window
            + ", backoff "
            + initialBackoff
            + ".."
            + maxBackoff
            + ")"
        : "RestartPolicy.never()";
  }
}
