package dev.synapse.internal.pool;

import dev.synapse.RestartPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link WorkerPool} runs its workers, fixed when it starts; the public builder has checked
 * every value.
 *
 * @param size how many workers the pool keeps
 * @param maxInFlightPerWorker the most calls one worker holds at once; {@link Integer#MAX_VALUE}
 *     for no limit
 * @param recycleAfterCalls a worker is recycled once it was given this many calls; 0 for never
 * @param recycleAboveResidentBytes a worker is recycled once its resident memory exceeds this; 0
 *     for never
 * @param memoryCheckInterval how often resident memory is read
 * @param restartPolicy whether, how often and how soon a worker that died is replaced
 */
public record PoolSettings(
    int size,
    int maxInFlightPerWorker,
    long recycleAfterCalls,
    long recycleAboveResidentBytes,
    Duration memoryCheckInterval,
    RestartPolicy restartPolicy) {
  public PoolSettings {
    Objects.requireNonNull(memoryCheckInterval, "memoryCheckInterval");
    Objects.requireNonNull(restartPolicy, "restartPolicy");
  }
}
