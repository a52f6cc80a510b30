package dev.synapse.internal.supervision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for pings with one deadline for all of them. A ping that has not answered by the deadline
 * is cancelled (which forgets it in its worker's channel) and counts as unhealthy, as does one that
 * failed. An interrupt ends the wait: the pings not answered by then count as unhealthy, and the
 * interrupt flag is kept.
 */
public final class Health {
  private Health() {}

  /** Checks that {@code timeout} is usable for a ping: positive. */
  public static Duration requireTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("The ping timeout must be positive, was " + timeout);
    }
    return timeout;
  }

  /** Whether {@code ping} completed normally within {@code timeout}. */
  public static boolean await(CompletableFuture<Void> ping, Duration timeout) {
    return awaitAll(Map.of(0L, ping), timeout).get(0L);
  }

  /** For each key, whether its ping completed normally before the common deadline. */
  public static <K> Map<K, Boolean> awaitAll(
      Map<K, CompletableFuture<Void>> pings, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<K, Boolean> healthy = new LinkedHashMap<>();
    List<CompletableFuture<Void>> unanswered = new ArrayList<>();
    boolean interrupted = false;
    for (Map.Entry<K, CompletableFuture<Void>> entry : pings.entrySet()) {
      CompletableFuture<Void> ping = entry.getValue();
      boolean answered = false;
      try {
        if (!interrupted) {
          ping.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          answered = true;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        // unhealthy
      }
      if (!answered) {
        unanswered.add(ping);
      }
      healthy.put(entry.getKey(), answered);
    }
    unanswered.forEach(ping -> ping.cancel(false));
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return healthy;
  }
}
