package dev.synapse;

import dev.synapse.internal.supervision.Engine;
import dev.synapse.internal.supervision.Health;
import dev.synapse.internal.worker.WorkerConfig;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;

/**
 * A Python module running as a long-lived worker process, and the way to call it.
 *
 * <pre>{@code
 * try (Synapse synapse = new Synapse()) {
 *   synapse.spawn(Path.of("py_module"), "main");
 *   Object answer = synapse.call(Map.of("foo", "bar"));
 * }
 * }</pre>
 *
 * <p>{@link #spawn} starts {@code DIR/ENTRY.py} and returns when it is ready; calls then go to it
 * until {@link #dispose()}. Modules written with {@code pysynapse.serve(...)} take many calls at
 * once and may serve named functions ({@link #invoke}); seed-style modules, which read their stdin
 * themselves as the original Node library's modules do, answer one call at a time, in order.
 *
 * <p><b>Threads.</b> An instance is thread-safe: any number of threads may call it at once.
 * Blocking calls wait on the caller's thread; {@link #callAsync} never blocks and its futures
 * complete on the callback executor ({@link ForkJoinPool#commonPool()} unless set), never on the
 * thread that reads the worker's output. Cancelling such a future cancels the call in the worker.
 *
 * <p><b>Errors.</b> Every failure is a {@link SynapseException}: {@link SpawnException}, {@link
 * PythonException}, {@link WorkerExitedException}, {@link CallTimeoutException}, {@link
 * EncodingException}, {@link FrameTooLargeException}, {@link ProtocolException}, and {@link
 * InstanceDisposedException} for a call caught by {@code dispose}. A call made before {@code spawn}
 * or after {@code dispose} throws {@link IllegalStateException}. When one failure ends several
 * calls, each blocking caller gets its own exception, with the shared one as its cause.
 *
 * <p><b>Values.</b> Inputs may be null, Boolean, Byte/Short/Integer/Long, BigInteger (up to
 * unsigned 64 bits), Float, Double, String (any CharSequence), byte[] and ByteBuffer, Instant,
 * {@link NDArray} (a numpy array on the Python side), {@link ExtensionValue} (any other MessagePack
 * extension, passed through), List and any Collection, Java arrays, Map (iteration order kept), and
 * records and POJOs (sent as the map of their properties), nested up to 512 levels of lists and
 * maps. A value that cannot be encoded (an unsupported type, a cyclic or too deeply nested one)
 * fails its own call with {@link EncodingException} and nothing is sent. Answers come back as null,
 * Boolean, Long (BigInteger above {@code Long.MAX_VALUE}), Double (Float for MessagePack float32),
 * String, byte[], Instant, NDArray, ExtensionValue, ArrayList and LinkedHashMap; the typed forms
 * ({@link #call(Object, Class)}) convert them to records, POJOs and generic types.
 */
public final class Synapse extends SpawnedModule {
  private static final String NOT_SPAWNED = "Cannot send inputs to instance before spawning it.";

  /** An instance with the default settings; see {@link Builder} for what they are. */
  public Synapse() {
    this(new Builder());
  }

  /** An instance with {@code settings}, which are its own: no one else changes them. */
  private Synapse(Builder settings) {
    super(NOT_SPAWNED, settings, settings.restartPolicySetting());
  }

  /** A builder for an instance with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether the worker is healthy: its serve loop answered a ping within {@code timeout}. The ping
   * goes through the same loop as calls, on the worker's main thread, so a worker whose main thread
   * is stuck in a plain handler (or a long stream step) is not healthy until the handler returns,
   * while {@code async def} handlers that are busy do not hold the answer back. Pings are not
   * calls: they take no call id the caller sees, count against no limit and fail no call. Usable as
   * a service's readiness probe.
   *
   * <p>A seed-style module has no loop of pysynapse's to ask: it is healthy when its process is
   * alive and ready. False before {@link #spawn}, after {@link #dispose}, and while a dead worker
   * is being replaced. Blocks the calling thread for at most {@code timeout}; an interrupt ends the
   * wait with false, and the interrupt flag stays set.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public boolean ping(Duration timeout) {
    Health.requireTimeout(timeout);
    WorkerSupervisor current = (WorkerSupervisor) engine();
    return current != null && Health.await(current.ping(), timeout);
  }

  /**
   * What the current worker reported about itself (pid, Python version, codec...), if one is
   * running.
   */
  public Optional<WorkerInfo> workerInfo() {
    WorkerSupervisor current = (WorkerSupervisor) engine();
    return current == null ? Optional.empty() : current.workerInfo();
  }

  /**
   * Allocates arrays in the shared memory of this instance's worker, which calls pass to Python
   * without copying them, and which Python handlers may write for the caller to read (see {@link
   * SharedArray}). The arrays belong to the worker running when they are allocated.
   */
  public SharedMemory sharedMemory() {
    return new SharedMemory(
        () -> {
          WorkerSupervisor current = (WorkerSupervisor) engine();
          if (current == null) {
            throw new IllegalStateException(NOT_SPAWNED);
          }
          return current.sharedRegion();
        });
  }

  @Override
  Engine start(WorkerConfig config) {
    return WorkerSupervisor.start(config);
  }

  /**
   * Settings for a {@link Synapse}: those of its worker ({@link WorkerSettings}) and its restart
   * policy. Each setter checks its value at once and names it in the exception. Not thread-safe;
   * {@link #build()} copies the settings, so a builder can be reused.
   */
  public static final class Builder extends WorkerSettings<Builder> {
    private RestartPolicy restartPolicy = RestartPolicy.never();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** What happens when a worker dies on its own. Default {@link RestartPolicy#never()}. */
    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = Objects.requireNonNull(policy, "restartPolicy");
      return this;
    }

    /** An instance with these settings; it starts no worker until {@link Synapse#spawn}. */
    public Synapse build() {
      return new Synapse(copy());
    }

    /** The restart policy set, for a pool to check (a pool replaces its workers itself). */
    RestartPolicy restartPolicySetting() {
      return restartPolicy;
    }

    Builder copy() {
      Builder copy = new Builder();
      copySettingsTo(copy);
      copy.restartPolicy = restartPolicy;
      return copy;
    }
  }
}
