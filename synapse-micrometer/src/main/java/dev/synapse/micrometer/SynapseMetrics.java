package dev.synapse.micrometer;

import dev.synapse.CallOutcome;
import dev.synapse.SpawnPhase;
import dev.synapse.SynapseListener;
import dev.synapse.WorkerInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records what Synapse instances and pools do as Micrometer meters. Set it as the listener of a
 * {@link dev.synapse.Synapse.Builder} or {@link dev.synapse.SynapsePool.Builder}; one instance may
 * serve many of them, and tells them apart by module.
 *
 * <pre>{@code
 * SynapseMetrics metrics = new SynapseMetrics(registry, Tags.of("service", "fraud"));
 * SynapsePool pool = SynapsePool.builder().listener(metrics).size(4).build();
 * }</pre>
 *
 * <p>The meters, each tagged {@code module} (the entrypoint's name, as the listener's events give
 * it) and the tags given to the constructor:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>more tags</th><th>what</th></tr>
 *   <tr><td>{@code synapse.calls}</td><td>timer (p50, p95, p99)</td><td>function, outcome</td>
 *       <td>every call, from being made to its end</td></tr>
 *   <tr><td>{@code synapse.calls.errors}</td><td>counter</td><td>function, kind</td>
 *       <td>calls that failed, by {@link CallOutcome#tag()}</td></tr>
 *   <tr><td>{@code synapse.calls.in.flight}</td><td>gauge</td><td>function</td>
 *       <td>calls made and not ended yet</td></tr>
 *   <tr><td>{@code synapse.pool.queue.wait}</td><td>timer (p50, p95, p99)</td><td>function</td>
 *       <td>a pool call's wait in the queue before a worker took it</td></tr>
 *   <tr><td>{@code synapse.worker.restarts}</td><td>counter</td><td></td>
 *       <td>workers that died and were replaced</td></tr>
 *   <tr><td>{@code synapse.worker.recycles}</td><td>counter</td><td></td>
 *       <td>workers a pool recycled</td></tr>
 *   <tr><td>{@code synapse.worker.startup}</td><td>timer</td><td></td>
 *       <td>from a worker's launch to its READY frame</td></tr>
 *   <tr><td>{@code synapse.spawn.phase}</td><td>timer</td><td>phase</td>
 *       <td>the steps of a spawn: venv creation, pip install, start, all</td></tr>
 *   <tr><td>{@code synapse.workers}</td><td>gauge</td><td></td><td>workers running</td></tr>
 *   <tr><td>{@code synapse.worker.resident.memory}</td><td>gauge (bytes)</td><td></td>
 *       <td>the resident memory of the running workers together, read when the gauge is read
 *       (Linux; NaN elsewhere)</td></tr>
 * </table>
 *
 * <p><b>Bounded tags.</b> No tag carries call data. {@code function} is a name the module declared
 * ({@code serve({...})}, as its workers reported when they started), {@code default} for a call
 * without a function name, and {@code other} for any other name, so a caller cannot make the number
 * of meters grow. {@code outcome} and {@code kind} are the tags of {@link CallOutcome}.
 *
 * <p>Thread-safe. Its methods are quick and never block, as the listener's call events require.
 */
public final class SynapseMetrics implements SynapseListener {
  /** The {@code function} tag of a call without a function name. */
  public static final String DEFAULT_FUNCTION = "default";

  /** The {@code function} tag of a call to a name the module did not declare. */
  public static final String OTHER_FUNCTION = "other";

  private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

  private final MeterRegistry registry;
  private final Tags common;
  private final ConcurrentHashMap<String, ModuleMeters> modules = new ConcurrentHashMap<>();

  /** Metrics recorded into {@code registry}. */
  public SynapseMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Metrics recorded into {@code registry}, every meter with {@code tags} too (e.g. the service, to
   * tell apart modules of the same entrypoint name).
   */
  public SynapseMetrics(MeterRegistry registry, Iterable<Tag> tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.common = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  private ModuleMeters module(String module) {
    return modules.computeIfAbsent(
        module, name -> new ModuleMeters(registry, common.and("module", name)));
  }

  @Override
  public void onWorkerReady(String module, WorkerInfo info, long startupNanos) {
    ModuleMeters meters = module(module);
    meters.declared(info.functions());
    meters.workerStarted(info.pid());
    Timer.builder("synapse.worker.startup")
        .description("From the launch of a worker's process to its READY frame")
        .tags(meters.tags)
        .register(registry)
        .record(startupNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onWorkerExited(String module, long pid, int exitCode, boolean expected) {
    module(module).workerExited(pid);
  }

  @Override
  public void onWorkerReplaced(String module, long pid, String reason) {
    increment("synapse.worker.restarts", "Workers that died and were replaced", module);
  }

  @Override
  public void onWorkerRecycled(String module, long pid, String reason) {
    increment("synapse.worker.recycles", "Workers a pool recycled", module);
  }

  private void increment(String name, String description, String module) {
    Counter.builder(name)
        .description(description)
        .tags(module(module).tags)
        .register(registry)
        .increment();
  }

  @Override
  public void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {
    Timer.builder("synapse.spawn.phase")
        .description("The steps of a spawn: creating the venv, installing, starting, all of it")
        .tags(module(module).tags.and("phase", phase.name().toLowerCase(Locale.ROOT)))
        .register(registry)
        .record(Duration.ofMillis(elapsedMillis));
  }

  @Override
  public void onCallStarted(String module, String function) {
    ModuleMeters meters = module(module);
    meters.inFlight(meters.functionTag(function)).incrementAndGet();
  }

  @Override
  public void onCallCompleted(
      String module, String function, long durationNanos, CallOutcome outcome) {
    ModuleMeters meters = module(module);
    String tag = meters.functionTag(function);
    meters.inFlight(tag).decrementAndGet();
    Timer.builder("synapse.calls")
        .description("Calls, from being made to their end")
        .tags(meters.tags.and("function", tag).and("outcome", outcome.tag()))
        .publishPercentiles(PERCENTILES)
        .register(registry)
        .record(durationNanos, TimeUnit.NANOSECONDS);
    if (outcome != CallOutcome.SUCCESS) {
      Counter.builder("synapse.calls.errors")
          .description("Calls that failed, by kind")
          .tags(meters.tags.and("function", tag).and("kind", outcome.tag()))
          .register(registry)
          .increment();
    }
  }

  @Override
  public void onQueueWait(String module, String function, long waitNanos) {
    ModuleMeters meters = module(module);
    Timer.builder("synapse.pool.queue.wait")
        .description("How long a pool call waited in the queue before a worker took it")
        .tags(meters.tags.and("function", meters.functionTag(function)))
        .publishPercentiles(PERCENTILES)
        .register(registry)
        .record(waitNanos, TimeUnit.NANOSECONDS);
  }

  /** The {@code function} tag of a call to {@code function} of {@code module}. */
  String functionTag(String module, String function) {
    return module(module).functionTag(function);
  }

  /** The gauges of a module, and what they read. */
  private static final class ModuleMeters {
    final Tags tags;
    private final MeterRegistry registry;
    private final Set<Long> workers = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicLong> inFlight = new ConcurrentHashMap<>();
    private volatile Set<String> functions = Set.of();

    ModuleMeters(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      Gauge.builder("synapse.workers", workers, Set::size)
          .description("Workers running")
          .tags(tags)
          .register(registry);
      Gauge.builder("synapse.worker.resident.memory", workers, ResidentMemory::total)
          .description("The resident memory of the running workers together")
          .baseUnit("bytes")
          .tags(tags)
          .register(registry);
    }

    void declared(List<String> names) {
      functions = Set.copyOf(names);
    }

    void workerStarted(long pid) {
      workers.add(pid);
    }

    void workerExited(long pid) {
      workers.remove(pid);
    }

    String functionTag(String function) {
      if (function == null) {
        return DEFAULT_FUNCTION;
      }
      return functions.contains(function) ? function : OTHER_FUNCTION;
    }

    AtomicLong inFlight(String functionTag) {
      return inFlight.computeIfAbsent(
          functionTag,
          tag -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder("synapse.calls.in.flight", count, AtomicLong::get)
                .description("Calls made and not ended yet")
                .tags(tags.and("function", tag))
                .register(registry);
            return count;
          });
    }
  }
}
