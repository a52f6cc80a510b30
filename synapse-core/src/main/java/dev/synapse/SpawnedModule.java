package dev.synapse;

import dev.synapse.internal.supervision.Engine;
import dev.synapse.internal.worker.InputSource;
import dev.synapse.internal.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What a {@link Synapse} and a {@link SynapsePool} share: the life of a spawned module (spawn,
 * calls, dispose). A spawn checks the module's paths, prepares its environment once and starts an
 * {@link Engine} from it (one worker's supervisor, or a pool of workers); calls go to the engine of
 * the last spawn until dispose. The two differ only in the engine they start and in the restart
 * policy their workers get.
 *
 * <p>Spawn and dispose take this instance's lifecycle lock; calls read the engine without it.
 */
abstract class SpawnedModule implements SynapseCalls, AutoCloseable {
  private final String notSpawned;
  private final WorkerSettings<?> settings;
  private final RestartPolicy policy;
  private final Object lifecycle = new Object();
  private volatile Engine engine;

  /** Guarded by {@code lifecycle}: the script the running engine's workers run. */
  private Path spawned;

  /**
   * @param notSpawned the message of a call made before spawn or after dispose
   * @param settings the workers' settings, which must not change afterwards
   * @param policy the restart policy each worker gets
   */
  SpawnedModule(String notSpawned, WorkerSettings<?> settings, RestartPolicy policy) {
    this.notSpawned = notSpawned;
    this.settings = settings;
    this.policy = policy;
  }

  /** Starts the engine of a spawn and returns once it is ready to take calls. */
  abstract Engine start(WorkerConfig config);

  /** Same as {@link #spawn(Path, String)}. */
  public void spawn(String directory, String entrypoint) {
    Objects.requireNonNull(directory, "directory");
    spawn(Path.of(directory), entrypoint);
  }

  /**
   * Prepares the environment of the module {@code directory/entrypoint.py} (venv, pip) once, starts
   * its worker (a pool: all its workers, in parallel) and returns once it is ready to answer. Does
   * nothing while a worker of the same module runs; after {@link #dispose()}, or after the workers
   * died for good, starts afresh.
   *
   * @param entrypoint the module's file name, with or without {@code .py}
   * @throws SpawnException naming the path if the directory or the entrypoint does not exist, when
   *     the environment cannot be prepared, and with the worker's stderr if it could not start or
   *     died before it was ready (in a pool, the other workers are ended first and their failures,
   *     if any, suppressed in it)
   * @throws IllegalArgumentException if {@code entrypoint} is empty, or does not resolve to a file
   *     inside {@code directory} (an absolute path, {@code ..}, or a symbolic link that leads out)
   * @throws IllegalStateException naming both modules if a worker of another directory or
   *     entrypoint runs (call {@link #dispose()} first)
   */
  public void spawn(Path directory, String entrypoint) {
    SpawnPlan.checkArguments(directory, entrypoint);
    synchronized (lifecycle) {
      Engine current = engine;
      if (current != null && current.isRunning()) {
        SpawnPlan.checkSameModule(spawned, directory, entrypoint);
        return;
      }
      if (current != null) {
        engine = null;
        current.dispose();
      }
      SpawnPlan plan =
          SpawnPlan.prepare(settings, policy, directory.toAbsolutePath().normalize(), entrypoint);
      long launched = System.nanoTime();
      engine = start(plan.config());
      spawned = SpawnPlan.script(directory, entrypoint);
      plan.started(launched);
    }
  }

  @Override
  public Object execute(Request request) {
    return Waiting.await(running(request).submit(request, false));
  }

  @Override
  public CompletableFuture<Object> executeAsync(Request request) {
    return running(request).submit(request, true);
  }

  @Override
  public Stream<Object> stream(Request request) {
    return running(request).stream(request);
  }

  /** The engine calls go to. */
  private Engine running(Request request) {
    Objects.requireNonNull(request, "request");
    Engine current = engine;
    if (current == null) {
      throw new IllegalStateException(notSpawned);
    }
    InputSource.claim(request.input());
    return current;
  }

  /** The engine of the last spawn until dispose; null before. */
  final Engine engine() {
    return engine;
  }

  /**
   * Whether a spawn started workers, {@link #dispose()} has not ended them, and a worker is running
   * or being started (a restart, a replacement in a pool); false once the restart policy gave up.
   */
  public boolean isRunning() {
    Engine current = engine;
    return current != null && current.isRunning();
  }

  /**
   * Ends the workers, each the same way: closes its stdin, waits up to the shutdown grace period
   * for it to exit, then kills it and all its descendants; returns when all are gone. Calls still
   * waiting or in flight fail with {@link InstanceDisposedException}. Idempotent; {@link #spawn}
   * may start afresh afterwards.
   */
  public void dispose() {
    synchronized (lifecycle) {
      Engine current = engine;
      engine = null;
      if (current != null) {
        current.dispose();
      }
    }
  }

  /** Same as {@link #dispose()}. */
  @Override
  public void close() {
    dispose();
  }
}
