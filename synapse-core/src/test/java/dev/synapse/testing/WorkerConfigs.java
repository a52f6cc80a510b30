package dev.synapse.testing;

import dev.synapse.RestartPolicy;
import dev.synapse.SynapseListener;
import dev.synapse.internal.callback.HostFunctions;
import dev.synapse.internal.shm.SharedMemoryConfig;
import dev.synapse.internal.worker.WorkerConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/** Worker configurations for the tests of the internals, which start workers without a builder. */
public final class WorkerConfigs {
  private WorkerConfigs() {}

  /** The fixture module {@code name}'s {@code main.py} on {@code python}, with {@code policy}. */
  public static WorkerConfig of(String python, String name, RestartPolicy policy) {
    return new WorkerConfig(
        Fixtures.module(name).resolve("main.py"),
        "main",
        python,
        Duration.ofSeconds(30),
        Duration.ofMillis(500),
        Duration.ZERO,
        Duration.ofSeconds(2),
        64 * 1024 * 1024,
        policy,
        new SynapseListener() {},
        ForkJoinPool.commonPool(),
        Map.of(),
        HostFunctions.NONE,
        SharedMemoryConfig.DEFAULT);
  }
}
