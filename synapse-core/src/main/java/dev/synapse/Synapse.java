package dev.synapse;

import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.launch.WorkerEnvironment;
import dev.synapse.internal.worker.PendingCall;
import dev.synapse.internal.worker.WorkerConfig;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
public final class Synapse implements SynapseCalls, AutoCloseable {
  private static final String NOT_SPAWNED = "Cannot send inputs to instance before spawning it.";

  private final Builder settings;
  private final Object lifecycle = new Object();
  private volatile WorkerSupervisor supervisor;

  /** Guarded by {@code lifecycle}: the script of the running worker. */
  private Path spawned;

  /** An instance with the default settings; see {@link Builder} for what they are. */
  public Synapse() {
    this(new Builder());
  }

  private Synapse(Builder builder) {
    this.settings = builder.copy();
  }

  /** A builder for an instance with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Same as {@link #spawn(Path, String)}. */
  public void spawn(String directory, String entrypoint) {
    Objects.requireNonNull(directory, "directory");
    spawn(Path.of(directory), entrypoint);
  }

  /**
   * Starts {@code directory/entrypoint.py} as this instance's worker and returns once it is ready
   * to answer. Does nothing if a worker of the same module is already running; after {@link
   * #dispose()}, or after the worker died for good, starts a fresh one.
   *
   * @param entrypoint the module's file name, with or without {@code .py}
   * @throws SpawnException naming the path if the directory or the entrypoint does not exist, and
   *     with the worker's stderr if it could not start or died before it was ready
   * @throws IllegalArgumentException if {@code entrypoint} is empty, or does not resolve to a file
   *     inside {@code directory} (an absolute path, {@code ..}, or a symbolic link that leads out)
   * @throws IllegalStateException naming both modules if a worker of another directory or
   *     entrypoint is running (call {@link #dispose()} first)
   */
  public void spawn(Path directory, String entrypoint) {
    SpawnPlan.checkArguments(directory, entrypoint);
    synchronized (lifecycle) {
      WorkerSupervisor current = supervisor;
      if (current != null && current.isAlive()) {
        SpawnPlan.checkSameModule(spawned, directory, entrypoint);
        return;
      }
      if (current != null) {
        current.dispose();
      }
      supervisor = start(directory.toAbsolutePath().normalize(), entrypoint);
      spawned = SpawnPlan.script(directory, entrypoint);
    }
  }

  private WorkerSupervisor start(Path directory, String entrypoint) {
    SpawnPlan plan = SpawnPlan.prepare(settings, directory, entrypoint);
    long launched = System.nanoTime();
    WorkerSupervisor supervisor = WorkerSupervisor.start(plan.config());
    plan.started(launched);
    return supervisor;
  }

  @Override
  public Object execute(Request request) {
    return Waiting.await(submit(request, false));
  }

  @Override
  public CompletableFuture<Object> executeAsync(Request request) {
    return submit(request, true);
  }

  private PendingCall submit(Request request, boolean async) {
    Objects.requireNonNull(request, "request");
    WorkerSupervisor current = supervisor;
    if (current == null) {
      throw new IllegalStateException(NOT_SPAWNED);
    }
    return current.submit(
        request.function(), request.input(), request.timeout(), request.cancelGrace(), async);
  }

  @Override
  public java.util.stream.Stream<Object> stream(Request request) {
    Objects.requireNonNull(request, "request");
    WorkerSupervisor current = supervisor;
    if (current == null) {
      throw new IllegalStateException(NOT_SPAWNED);
    }
    return current.stream(
        request.function(), request.input(), request.timeout(), request.cancelGrace());
  }

  /** Whether a worker is running or being restarted. */
  public boolean isRunning() {
    WorkerSupervisor current = supervisor;
    return current != null && current.isAlive();
  }

  /**
   * What the current worker reported about itself (pid, Python version, codec...), if one is
   * running.
   */
  public Optional<WorkerInfo> workerInfo() {
    WorkerSupervisor current = supervisor;
    return current == null ? Optional.empty() : current.workerInfo();
  }

  /**
   * Ends the worker: closes its stdin, waits up to the shutdown grace period for it to exit, then
   * kills it and all its descendants. Calls still waiting fail. Idempotent; {@link #spawn} may
   * start a new worker afterwards.
   */
  public void dispose() {
    synchronized (lifecycle) {
      WorkerSupervisor current = supervisor;
      supervisor = null;
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

  /**
   * Settings for a {@link Synapse}. Each setter checks its value at once and names it in the
   * exception. Not thread-safe; {@link #build()} copies the settings, so a builder can be reused.
   */
  public static final class Builder {
    private String python;
    private Path venvDirectory;
    private boolean systemSitePackages;
    private List<String> pipArguments = List.of();
    private Duration installTimeout = EnvironmentSpec.DEFAULT_INSTALL_TIMEOUT;
    private boolean useInterpreterAsIs;
    private boolean requirementsRequired = true;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private Duration shutdownGrace = Duration.ofMillis(500);
    private Duration callTimeout = Duration.ZERO;
    private Duration cancelGrace = Duration.ofSeconds(2);
    private int maxFrameBytes = 256 * 1024 * 1024;
    private RestartPolicy restartPolicy = RestartPolicy.never();
    private SynapseListener listener = new SynapseListener() {};
    private Executor callbackExecutor = ForkJoinPool.commonPool();
    private Map<String, String> environment = new LinkedHashMap<>();
    private WorkerEnvironment workerEnvironment = WorkerEnvironment.INHERIT;

    private Builder() {}

    /**
     * The base Python interpreter: a path, a name looked up on PATH, or an environment's directory
     * (a venv or conda prefix). It creates the module's venv, or runs the worker itself with {@link
     * #useInterpreterAsIs}. Default: the environment variable {@code SYNAPSE_PYTHON}, else {@code
     * python3} on PATH, else {@code python}.
     */
    public Builder python(String python) {
      Objects.requireNonNull(python, "python");
      if (python.isBlank()) {
        throw new IllegalArgumentException("python cannot be empty");
      }
      this.python = python;
      return this;
    }

    /**
     * Where the module's virtual environment lives; a relative path is relative to the module's
     * directory. Default {@code DIR/.venv}.
     */
    public Builder venvDirectory(Path directory) {
      this.venvDirectory = Objects.requireNonNull(directory, "venvDirectory");
      return this;
    }

    /**
     * Whether the venv also sees the base interpreter's packages ({@code --system-site-packages}).
     */
    public Builder systemSitePackages(boolean enabled) {
      this.systemSitePackages = enabled;
      return this;
    }

    /**
     * Extra arguments for {@code pip install -r requirements.txt}, e.g. {@code --no-index}, {@code
     * --find-links DIR}, {@code --index-url URL}, {@code -c constraints.txt}. They are part of the
     * venv's stamp: changing them re-installs.
     */
    public Builder pipArguments(String... arguments) {
      Objects.requireNonNull(arguments, "pipArguments");
      for (String argument : arguments) {
        Objects.requireNonNull(argument, "a pip argument is null");
      }
      this.pipArguments = List.of(arguments);
      return this;
    }

    /**
     * How long creating the venv and installing the requirements may take. Default 15 minutes; zero
     * for none.
     */
    public Builder installTimeout(Duration timeout) {
      RestartPolicy.requireNotNegative("installTimeout", timeout);
      this.installTimeout = timeout;
      return this;
    }

    /**
     * Run the worker on the {@link #python} interpreter as it is (a system Python, a conda
     * environment): no venv is made and {@code requirements.txt} is neither required nor installed.
     */
    public Builder useInterpreterAsIs(boolean asIs) {
      this.useInterpreterAsIs = asIs;
      return this;
    }

    /**
     * Whether {@code spawn} fails when the module has no {@code requirements.txt} (default true,
     * the original library's rule); when false, a missing file means a venv with nothing installed.
     */
    public Builder requirementsRequired(boolean required) {
      this.requirementsRequired = required;
      return this;
    }

    /** How long a worker may take to become ready after it starts. Default 60 s. */
    public Builder startupTimeout(Duration timeout) {
      RestartPolicy.requirePositive("startupTimeout", timeout);
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * How long {@link #dispose()} waits for the worker to exit before killing it. Default 500 ms.
     */
    public Builder shutdownGrace(Duration grace) {
      RestartPolicy.requireNotNegative("shutdownGrace", grace);
      this.shutdownGrace = grace;
      return this;
    }

    /**
     * The timeout of calls that do not set their own; {@link Duration#ZERO} (the default) means
     * none.
     */
    public Builder callTimeout(Duration timeout) {
      RestartPolicy.requireNotNegative("callTimeout", timeout);
      this.callTimeout = timeout;
      return this;
    }

    /**
     * How long a {@code pysynapse} worker may take to end a call that was given up on (its timeout
     * passed, or its future was cancelled) before it counts as stuck. The worker is told to cancel
     * the call, and interrupts a running plain handler ({@code pysynapse.CallCancelled} is raised
     * in it); if the call's final frame has not come within this grace, the handler is blocked
     * where Python cannot interrupt it (e.g. a C call), and the worker is killed and replaced as
     * after a crash: its other calls in flight fail with {@link WorkerExitedException} saying so
     * (or are sent again, in a pool, when their request allows retries). {@link Duration#ZERO}
     * replaces the worker at once. Default 2 s; a {@link Request} may set its own ({@link
     * Request#withCancelGrace}). Seed-style modules are not affected: a call given up on there
     * always replaces the worker.
     *
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder cancelGrace(Duration grace) {
      RestartPolicy.requireNotNegative("cancelGrace", grace);
      this.cancelGrace = grace;
      return this;
    }

    /** The largest frame either side accepts, in bytes. Default 256 MiB. */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxFrameBytes cannot be less than 1024, was " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /** What happens when a worker dies on its own. Default {@link RestartPolicy#never()}. */
    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = Objects.requireNonNull(policy, "restartPolicy");
      return this;
    }

    /** Receives log lines and lifecycle events. Default: none (log lines still go to SLF4J). */
    public Builder listener(SynapseListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where {@link #callAsync} futures complete and listener lifecycle methods run. Default {@link
     * ForkJoinPool#commonPool()}.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** Sets an environment variable for the worker, on top of this JVM's environment. */
    public Builder environment(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || name.contains("=")) {
        throw new IllegalArgumentException("Not an environment variable name: '" + name + "'");
      }
      environment.put(name, value);
      return this;
    }

    /**
     * Sets each of {@code variables} for the worker, as {@link #environment(String, String)} does.
     */
    public Builder environment(Map<String, String> variables) {
      Objects.requireNonNull(variables, "variables");
      variables.forEach(this::environment);
      return this;
    }

    /**
     * Whether the worker starts with this JVM's whole environment (the default, {@code true}). With
     * {@code false} it gets only the variables named with {@link #passEnvironment}, those set with
     * {@link #environment(String, String)}, and the ones Synapse sets itself ({@code PYTHONPATH},
     * {@code SYNAPSE_MAX_FRAME}, {@code PYTHONIOENCODING}, {@code PYTHONUNBUFFERED}, glibc's malloc
     * settings; see the README's "Security"); on Windows {@code SYSTEMROOT} is passed too, since
     * Python cannot run without it. Use it to keep secrets of the JVM's environment out of the
     * worker. The venv and pip steps of a spawn run with the JVM's whole environment either way.
     */
    public Builder inheritEnvironment(boolean inherit) {
      this.workerEnvironment = workerEnvironment.withInherit(inherit);
      return this;
    }

    /**
     * Names variables of this JVM's environment that the worker gets even when it does not inherit
     * the whole environment ({@link #inheritEnvironment}{@code (false)}), e.g. {@code "PATH",
     * "HOME", "LANG"}; a name this JVM does not have is left out. Adds to the names given before.
     *
     * @throws IllegalArgumentException if a name is empty or contains {@code =}
     */
    public Builder passEnvironment(String... names) {
      this.workerEnvironment = workerEnvironment.withPassed(names);
      return this;
    }

    /** An instance with these settings; it starts no worker until {@link Synapse#spawn}. */
    public Synapse build() {
      return new Synapse(this);
    }

    /** The configuration of this builder's workers of {@code script}, run on {@code python}. */
    WorkerConfig workerConfig(Path script, String module, String python) {
      return new WorkerConfig(
          script,
          module,
          python,
          startupTimeout,
          shutdownGrace,
          callTimeout,
          cancelGrace,
          maxFrameBytes,
          restartPolicy,
          listener,
          callbackExecutor,
          workerEnvironment.resolve(System.getenv(), environment));
    }

    SynapseListener listenerSetting() {
      return listener;
    }

    EnvironmentSpec environmentSpec(Path directory) {
      return new EnvironmentSpec(
          directory,
          python,
          venvDirectory,
          systemSitePackages,
          pipArguments,
          installTimeout,
          useInterpreterAsIs,
          requirementsRequired,
          Map.copyOf(environment));
    }

    /** The restart policy set, for a pool to check (a pool replaces its workers itself). */
    RestartPolicy restartPolicySetting() {
      return restartPolicy;
    }

    Builder copy() {
      Builder copy = new Builder();
      copy.python = python;
      copy.venvDirectory = venvDirectory;
      copy.systemSitePackages = systemSitePackages;
      copy.pipArguments = pipArguments;
      copy.installTimeout = installTimeout;
      copy.useInterpreterAsIs = useInterpreterAsIs;
      copy.requirementsRequired = requirementsRequired;
      copy.startupTimeout = startupTimeout;
      copy.shutdownGrace = shutdownGrace;
      copy.callTimeout = callTimeout;
      copy.cancelGrace = cancelGrace;
      copy.maxFrameBytes = maxFrameBytes;
      copy.restartPolicy = restartPolicy;
      copy.listener = listener;
      copy.callbackExecutor = callbackExecutor;
      copy.environment = new LinkedHashMap<>(environment);
      copy.workerEnvironment = workerEnvironment;
      return copy;
    }
  }
}
