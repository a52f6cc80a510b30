package dev.synapse;

import dev.synapse.internal.pool.PoolSettings;
import dev.synapse.internal.pool.WorkerPool;
import dev.synapse.internal.supervision.Engine;
import dev.synapse.internal.worker.WorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Several workers of one Python module, called like one {@link Synapse}: each call goes to the
 * least-loaded worker, so plain (one-call-at-a-time) Python handlers run in parallel, one per
 * worker process.
 *
 * <pre>{@code
 * try (SynapsePool pool = SynapsePool.builder().python("python3").size(4).build()) {
 *   pool.spawn(Path.of("my_module"), "main");                 // four workers, started at once
 *   Object sums = pool.invoke("predict", rows);
 * }
 * }</pre>
 *
 * <p><b>Spawn.</b> {@link #spawn} prepares the module's environment (venv, pip) once, starts {@link
 * Builder#size} workers in parallel and returns when all are ready; if one fails to start, the
 * others are ended and its {@link SpawnException} is thrown.
 *
 * <p><b>Dispatch.</b> A call goes to the live worker with the fewest calls in flight. With {@link
 * Builder#maxInFlightPerWorker} set, a worker holds at most that many; calls beyond the pool's
 * capacity wait in a queue, in the order they were made, and their timeout counts from the moment
 * they were made, queue included.
 *
 * <p><b>Failures.</b> A worker that dies (crashed, killed) fails the calls it was running with
 * {@link WorkerExitedException}, except those whose {@link Request#withRetries} allows them to be
 * sent to another worker; a new worker replaces it while the others keep serving, as the pool's
 * {@link Builder#restartPolicy} allows. Every other failure is the same as on a {@link Synapse}.
 *
 * <p><b>Recycling.</b> Long-lived Python processes tend to grow (numpy, torch). With {@link
 * Builder#recycleAfterCalls} or {@link Builder#recycleAboveResidentMemory}, a worker past the limit
 * stops taking calls, finishes the ones it has, exits and is replaced; no call fails because of it.
 *
 * <p><b>Threads.</b> A pool is thread-safe. Blocking calls wait on the caller's thread;
 * asynchronous ones complete on the callback executor of the worker settings, never on a thread
 * that reads a worker's output, and cancelling one cancels the call in its worker (or takes it out
 * of the queue). Listener methods behave as for a {@link Synapse}; {@link
 * SynapseListener#onSpawnPhase} reports the steps of the whole pool's spawn once, {@link
 * SynapseListener#onWorkerStarted} each worker, and {@link SynapseListener#onWorkerRestarting} each
 * replacement, recycling included.
 *
 * <p><b>Errors.</b> As {@link SynapseCalls} says; a call made before {@code spawn} or after {@code
 * dispose} throws {@link IllegalStateException}.
 */
public final class SynapsePool extends SpawnedModule {
  private static final String NOT_SPAWNED = "Cannot send inputs to the pool before spawning it.";
  private static final Duration MEMORY_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final PoolSettings settings;

  /** A pool of {@code builder}'s settings, whose worker settings are {@code workers}, a copy. */
  private SynapsePool(Builder builder, Builder workers) {
    super(NOT_SPAWNED, workers, RestartPolicy.never()); // the pool replaces its workers itself
    this.settings =
        new PoolSettings(
            builder.size,
            builder.maxInFlightPerWorker,
            builder.recycleAfterCalls,
            builder.recycleAboveResidentMemory,
            MEMORY_CHECK_INTERVAL,
            builder.restartPolicy);
  }

  /**
   * A builder with the default settings: those of its workers ({@link WorkerSettings}: interpreter,
   * venv, timeouts, listener...) and those of the pool (size, limits, recycling, restart policy).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder whose workers have the settings of {@code workers}, copied now.
   *
   * @throws IllegalArgumentException if {@code workers} has a restart policy other than {@link
   *     RestartPolicy#never()}: a pool replaces its workers itself, see {@link
   *     Builder#restartPolicy}
   * @deprecated use {@link #builder()}, which has every worker setting itself and only the pool's
   *     restart policy
   */
  @Deprecated
  public static Builder builder(Synapse.Builder workers) {
    Objects.requireNonNull(workers, "workers");
    RestartPolicy policy = workers.restartPolicySetting();
    if (policy.restarts()) {
      throw new IllegalArgumentException(
          "The worker settings' restart policy is not used by a pool, was "
              + policy
              + "; set it with SynapsePool.Builder.restartPolicy instead");
    }
    Builder builder = new Builder();
    workers.copySettingsTo(builder);
    return builder;
  }

  /** How many workers the pool keeps: {@link Builder#size}. */
  public int size() {
    return settings.size();
  }

  /**
   * What each worker that takes calls now reported about itself (pid, Python version...), in a
   * stable order. Fewer than {@link #size()} while a worker is being replaced or recycled; empty
   * before {@code spawn} and after {@code dispose}.
   */
  public List<WorkerInfo> workers() {
    WorkerPool current = (WorkerPool) engine();
    return current == null ? List.of() : current.workers();
  }

  @Override
  Engine start(WorkerConfig config) {
    return WorkerPool.start(config, settings);
  }

  /**
   * Settings for a {@link SynapsePool}: those of its workers ({@link WorkerSettings}) and those of
   * the pool. Each setter checks its value at once and names it in the exception. Not thread-safe;
   * {@link #build()} copies the settings.
   */
  public static final class Builder extends WorkerSettings<Builder> {
    private int size = Runtime.getRuntime().availableProcessors();
    private int maxInFlightPerWorker = Integer.MAX_VALUE;
    private long recycleAfterCalls;
    private long recycleAboveResidentMemory;
    private RestartPolicy restartPolicy = RestartPolicy.onCrash();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** How many workers the pool runs. Default: the number of processors the JVM sees. */
    public Builder size(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("size cannot be less than 1, was " + workers);
      }
      this.size = workers;
      return this;
    }

    /**
     * The most calls one worker holds at once; calls beyond the pool's capacity wait in its queue.
     * Default {@link Integer#MAX_VALUE}: no limit, every call is sent at once. A plain Python
     * handler runs one call at a time anyway; 1 or 2 keeps calls of uneven length from waiting
     * behind a long one while another worker is idle, and bounds what a crash takes down.
     */
    public Builder maxInFlightPerWorker(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException(
            "maxInFlightPerWorker cannot be less than 1, was " + calls);
      }
      this.maxInFlightPerWorker = calls;
      return this;
    }

    /**
     * Recycles a worker once it was given this many calls: it takes no more, finishes those it has,
     * exits and is replaced. 0 (the default) means never.
     */
    public Builder recycleAfterCalls(long calls) {
      if (calls < 0) {
        throw new IllegalArgumentException("recycleAfterCalls cannot be negative, was " + calls);
      }
      this.recycleAfterCalls = calls;
      return this;
    }

    /**
     * Recycles a worker whose resident memory (RSS) is above {@code bytes}, as {@link
     * #recycleAfterCalls} does. Checked every second, for the worker process itself (not the
     * processes it started). Linux only (it reads {@code /proc/PID/status}); elsewhere it has no
     * effect and a warning is logged at spawn. 0 (the default) means never.
     */
    public Builder recycleAboveResidentMemory(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "recycleAboveResidentMemory cannot be negative, was " + bytes);
      }
      this.recycleAboveResidentMemory = bytes;
      return this;
    }

    /**
     * Whether and how soon a worker that died is replaced, counted for each of the pool's places
     * separately. Default {@link RestartPolicy#onCrash()}; with {@link RestartPolicy#never()} the
     * pool shrinks as workers die, and once none is left, calls fail with {@link
     * WorkerExitedException}. Recycling is not counted.
     */
    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = Objects.requireNonNull(policy, "restartPolicy");
      return this;
    }

    /** A pool with these settings; it starts no worker until {@link SynapsePool#spawn}. */
    public SynapsePool build() {
      Builder workers = new Builder();
      copySettingsTo(workers);
      return new SynapsePool(this, workers);
    }
  }
}
