package dev.synapse.internal.supervision;

import dev.synapse.RestartPolicy;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The restart history of one place for a worker (a single instance's worker, or one slot of a
 * pool), counted against a {@link RestartPolicy}: at most {@code maxRestarts} within the sliding
 * {@code window}, each after the policy's backoff. Not thread-safe: its owner guards it with its
 * own lock.
 */
public final class RestartWindow {
  private final RestartPolicy policy;
  private final Ticker ticker;
  private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();

  public RestartWindow(RestartPolicy policy, Ticker ticker) {
    this.policy = policy;
    this.ticker = ticker;
  }

  /** Counts a restart now; false, counting nothing, when the policy allows no more. */
  public boolean tryRestart() {
    if (!policy.restarts()) {
      return false;
    }
    long now = ticker.read();
    long window = policy.window().toNanos();
    while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > window) {
      restartTimes.removeFirst();
    }
    if (restartTimes.size() >= policy.maxRestarts()) {
      return false;
    }
    restartTimes.addLast(now);
    return true;
  }

  /** How long to wait before the next start, given the restarts counted in the window so far. */
  public Duration backoff() {
    return policy.backoff(restartTimes.size());
  }

  /** How long to wait before attempt {@code attempt} of one restart. */
  public Duration backoff(int attempt) {
    return policy.backoff(attempt);
  }

  public RestartPolicy policy() {
    return policy;
  }
}
