package dev.synapse.bench.jmh;

import java.time.Duration;

/**
 * How long JMH measures one benchmark: forks (fresh JVMs, each with its own worker), warm-up
 * iterations (not counted; they give the JIT the tens of thousands of calls that msgpack-java's
 * paths need to reach full speed) and measured iterations, each {@code iteration} long.
 */
public record JmhProfile(int forks, int warmups, int iterations, Duration iteration) {
  public JmhProfile {
    if (forks < 1
        || warmups < 0
        || iterations < 1
        || iteration.isNegative()
        || iteration.isZero()) {
      throw new IllegalArgumentException(
          "Not a usable JMH profile: "
              + forks
              + " forks, "
              + warmups
              + " warm-ups, "
              + iterations
              + " iterations of "
              + iteration);
    }
  }

  /** How many times the figure is measured: one value per measured iteration of every fork. */
  public int samples() {
    return forks * iterations;
  }

  /** In words, for the notes under the table. */
  public String describe() {
    return String.format(
        "%d fork%s × (%d warm-up + %d measured iterations of %d ms)",
        forks, forks == 1 ? "" : "s", warmups, iterations, iteration.toMillis());
  }
}
