package dev.synapse;

import dev.synapse.internal.callback.HostFunctions;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.launch.WorkerEnvironment;
import dev.synapse.internal.shm.SharedMemoryConfig;
import dev.synapse.internal.supervision.Listeners;
import dev.synapse.internal.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The settings of a worker process, shared by {@link Synapse.Builder} and {@link
 * SynapsePool.Builder}: the interpreter and its environment, timeouts, frame size, listener,
 * callback executor, environment variables, and the Java functions exposed to the workers. Each
 * setter checks its value at once and names it in the exception. Whether a worker that died is
 * replaced is not among them: {@link Synapse.Builder#restartPolicy} and {@link
 * SynapsePool.Builder#restartPolicy} each say it their own way.
 *
 * @param <B> the builder the setters return
 */
public abstract class WorkerSettings<B extends WorkerSettings<B>> {
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
  private SynapseListener listener = Listeners.NONE;
  private Executor callbackExecutor = ForkJoinPool.commonPool();
  private Map<String, String> environment = new LinkedHashMap<>();
  private WorkerEnvironment workerEnvironment = WorkerEnvironment.INHERIT;
  private Map<String, ExposedFunction<Object, ?>> exposed = new LinkedHashMap<>();
  private Executor exposedExecutor;
  private DebugOptions debug;
  private SharedMemoryConfig sharedMemory = SharedMemoryConfig.DEFAULT;

  WorkerSettings() {}

  /**
   * This object, for chaining; the subclasses are {@link Synapse.Builder} and {@link
   * SynapsePool.Builder} only.
   */
  abstract B self();

  /**
   * The base Python interpreter: a path, a name looked up on PATH, or an environment's directory (a
   * venv or conda prefix). It creates the module's venv, or runs the worker itself with {@link
   * #useInterpreterAsIs}. Default: the environment variable {@code SYNAPSE_PYTHON}, else {@code
   * python3} on PATH, else {@code python}.
   */
  public B python(String python) {
    Objects.requireNonNull(python, "python");
    if (python.isBlank()) {
      throw new IllegalArgumentException("python cannot be empty");
    }
    this.python = python;
    return self();
  }

  /**
   * Where the module's virtual environment lives; a relative path is relative to the module's
   * directory. Default {@code DIR/.venv}.
   */
  public B venvDirectory(Path directory) {
    this.venvDirectory = Objects.requireNonNull(directory, "venvDirectory");
    return self();
  }

  /**
   * Whether the venv also sees the base interpreter's packages ({@code --system-site-packages}).
   */
  public B systemSitePackages(boolean enabled) {
    this.systemSitePackages = enabled;
    return self();
  }

  /**
   * Extra arguments for {@code pip install -r requirements.txt}, e.g. {@code --no-index}, {@code
   * --find-links DIR}, {@code --index-url URL}, {@code -c constraints.txt}. They are part of the
   * venv's stamp: changing them re-installs.
   */
  public B pipArguments(String... arguments) {
    Objects.requireNonNull(arguments, "pipArguments");
    for (String argument : arguments) {
      Objects.requireNonNull(argument, "a pip argument is null");
    }
    this.pipArguments = List.of(arguments);
    return self();
  }

  /**
   * How long creating the venv and installing the requirements may take. Default 15 minutes; zero
   * for none.
   */
  public B installTimeout(Duration timeout) {
    RestartPolicy.requireNotNegative("installTimeout", timeout);
    this.installTimeout = timeout;
    return self();
  }

  /**
   * Run the worker on the {@link #python} interpreter as it is (a system Python, a conda
   * environment): no venv is made and {@code requirements.txt} is neither required nor installed.
   */
  public B useInterpreterAsIs(boolean asIs) {
    this.useInterpreterAsIs = asIs;
    return self();
  }

  /**
   * Whether {@code spawn} fails when the module has no {@code requirements.txt} (default true, the
   * original library's rule); when false, a missing file means a venv with nothing installed.
   */
  public B requirementsRequired(boolean required) {
    this.requirementsRequired = required;
    return self();
  }

  /** How long a worker may take to become ready after it starts. Default 60 s. */
  public B startupTimeout(Duration timeout) {
    RestartPolicy.requirePositive("startupTimeout", timeout);
    this.startupTimeout = timeout;
    return self();
  }

  /**
   * How long {@link Synapse#dispose()} waits for the worker to exit before killing it. Default 500
   * ms.
   */
  public B shutdownGrace(Duration grace) {
    RestartPolicy.requireNotNegative("shutdownGrace", grace);
    this.shutdownGrace = grace;
    return self();
  }

  /**
   * The timeout of calls that do not set their own; {@link Duration#ZERO} (the default) means none.
   */
  public B callTimeout(Duration timeout) {
    RestartPolicy.requireNotNegative("callTimeout", timeout);
    this.callTimeout = timeout;
    return self();
  }

  /**
   * How long a {@code pysynapse} worker may take to end a call that was given up on (its timeout
   * passed, or its future was cancelled) before it counts as stuck. The worker is told to cancel
   * the call, and interrupts a running plain handler ({@code pysynapse.CallCancelled} is raised in
   * it); if the call's final frame has not come within this grace, the handler is blocked where
   * Python cannot interrupt it (e.g. a C call), and the worker is killed and replaced as after a
   * crash: its other calls in flight fail with {@link WorkerExitedException} saying so (or are sent
   * again, in a pool, when their request allows retries). {@link Duration#ZERO} replaces the worker
   * at once. Default 2 s; a {@link Request} may set its own ({@link Request#withCancelGrace}).
   * Seed-style modules are not affected: a call given up on there always replaces the worker.
   *
   * @throws IllegalArgumentException if {@code grace} is negative
   */
  public B cancelGrace(Duration grace) {
    RestartPolicy.requireNotNegative("cancelGrace", grace);
    this.cancelGrace = grace;
    return self();
  }

  /** The largest frame either side accepts, in bytes. Default 256 MiB. */
  public B maxFrameBytes(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("maxFrameBytes cannot be less than 1024, was " + bytes);
    }
    this.maxFrameBytes = bytes;
    return self();
  }

  /** Receives log lines and lifecycle events. Default: none (log lines still go to SLF4J). */
  public B listener(SynapseListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return self();
  }

  /**
   * Where {@link SynapseCalls#callAsync(Object)} futures complete and listener lifecycle methods
   * run. Default {@link ForkJoinPool#commonPool()}.
   */
  public B callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
    return self();
  }

  /** Sets an environment variable for the worker, on top of this JVM's environment. */
  public B environment(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || name.contains("=")) {
      throw new IllegalArgumentException("Not an environment variable name: '" + name + "'");
    }
    environment.put(name, value);
    return self();
  }

  /**
   * Sets each of {@code variables} for the worker, as {@link #environment(String, String)} does.
   */
  public B environment(Map<String, String> variables) {
    Objects.requireNonNull(variables, "variables");
    variables.forEach(this::environment);
    return self();
  }

  /**
   * Whether the worker starts with this JVM's whole environment (the default, {@code true}). With
   * {@code false} it gets only the variables named with {@link #passEnvironment}, those set with
   * {@link #environment(String, String)}, and the ones Synapse sets itself ({@code PYTHONPATH},
   * {@code SYNAPSE_MAX_FRAME}, {@code SYNAPSE_SHM_THRESHOLD}, {@code PYTHONIOENCODING}, {@code
   * PYTHONUNBUFFERED}, glibc's malloc settings; see the README's "Security"); on Windows {@code
   * SYSTEMROOT} is passed too, since Python cannot run without it. Use it to keep secrets of the
   * JVM's environment out of the worker. The venv and pip steps of a spawn run with the JVM's whole
   * environment either way.
   */
  public B inheritEnvironment(boolean inherit) {
    this.workerEnvironment = workerEnvironment.withInherit(inherit);
    return self();
  }

  /**
   * Names variables of this JVM's environment that the worker gets even when it does not inherit
   * the whole environment ({@link #inheritEnvironment}{@code (false)}), e.g. {@code "PATH", "HOME",
   * "LANG"}; a name this JVM does not have is left out. Adds to the names given before.
   *
   * @throws IllegalArgumentException if a name is empty or contains {@code =}
   */
  public B passEnvironment(String... names) {
    this.workerEnvironment = workerEnvironment.withPassed(names);
    return self();
  }

  /**
   * Exposes {@code function} to the workers under {@code name}: a handler calls it with {@code
   * pysynapse.host.call(name, payload)} (or {@code await pysynapse.host.call_async(name, payload)}
   * in an {@code async def} handler) and gets its return value back; an exception it throws is
   * raised in Python as {@code pysynapse.host.JavaError} with its class, message and stack trace.
   * The input is the decoded payload (Map, List, Long, String...). See {@link ExposedFunction} for
   * threads and cancellation. Seed-style modules cannot call functions.
   *
   * @throws IllegalArgumentException if {@code name} is empty or exposed already
   */
  public B expose(String name, ExposedFunction<Object, ?> function) {
    Objects.requireNonNull(function, "function");
    requireNewName(name);
    exposed.put(name, function);
    return self();
  }

  /**
   * Exposes {@code function}, whose input is converted to {@code inputType} first (a record, a
   * POJO, {@code Long}, {@code String}...) with the rules of typed calls ({@link
   * SynapseCalls#call(Object, Class)}); an input that does not fit raises {@code
   * pysynapse.host.JavaError} (an {@link IllegalArgumentException} naming the field) in Python. Its
   * output, a record or POJO too, goes back as the map of its properties.
   *
   * @throws IllegalArgumentException if {@code name} is empty or exposed already
   */
  public <I> B expose(String name, Class<I> inputType, ExposedFunction<? super I, ?> function) {
    requireNewName(name);
    exposed.put(name, HostFunctions.typed(name, inputType, function));
    return self();
  }

  private void requireNewName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("The name of an exposed function cannot be empty");
    }
    if (exposed.containsKey(name)) {
      throw new IllegalArgumentException("A function named '" + name + "' is exposed already");
    }
  }

  /**
   * Where exposed functions ({@link #expose(String, ExposedFunction)}) run. It must run each task
   * on a thread of its own choosing, not the submitting one (which reads the worker's output), and
   * should not be too small: a function that calls a worker whose handler calls another function
   * holds its thread meanwhile. Default: daemon threads owned by Synapse, one per function running,
   * kept a minute when idle.
   */
  public B exposedExecutor(Executor executor) {
    this.exposedExecutor = Objects.requireNonNull(executor, "exposedExecutor");
    return self();
  }

  /**
   * Starts the workers under the debugpy debugger, listening for an IDE as {@code options} say
   * ({@link DebugOptions#onPort}); {@code null} (the default) starts them without. The module's
   * environment needs {@code debugpy} (in its {@code requirements.txt}). {@code breakpoint()} in a
   * handler then stops in the attached IDE (and does nothing while none is attached); without a
   * debugger it raises a {@code RuntimeError} that says how to debug, unless the worker's {@code
   * PYTHONBREAKPOINT} is set. While debugging, timeouts are suspended unless {@link
   * DebugOptions#suspendTimeouts()} is false: calls and streams have no timeout, whatever their
   * request says, and with {@link DebugOptions#waitForClient()} the start-up timeout is at least
   * {@link DebugOptions#ATTACH_WAIT_MINUTES} minutes. A worker stopped at a breakpoint does not
   * answer {@code ping}. Meant for development: a debugger port lets whoever reaches it run code.
   */
  public B debug(DebugOptions options) {
    this.debug = options;
    return self();
  }

  /** How many ports from the debug port the workers may take: one per worker of a pool. */
  int debugPorts() {
    return 1;
  }

  /** Whether {@link #debug} suspends the timeouts of calls. */
  boolean timeoutsSuspended() {
    return debug != null && debug.suspendTimeouts();
  }

  /** {@code request}, without its timeout while debugging suspends timeouts. */
  Request forDebugging(Request request) {
    return timeoutsSuspended() && request != null ? request.withTimeout(Duration.ZERO) : request;
  }

  /**
   * Whether values of at least {@link #sharedMemoryThreshold} bytes ({@code byte[]}, {@code
   * ByteBuffer}, {@code NDArray}, any extension value; and {@code bytes}, {@code numpy.ndarray} and
   * extension values from Python) travel through memory shared with the worker instead of its pipe,
   * both ways; the frame then carries a reference. Callers and handlers see the same types either
   * way. Default true. Where no shared memory can be made (see {@link #sharedMemoryDirectory}) or a
   * worker's is full, values go through the pipe. Seed-style modules always use the pipe.
   */
  public B sharedMemory(boolean enabled) {
    this.sharedMemory =
        new SharedMemoryConfig(
            enabled, sharedMemory.threshold(), sharedMemory.directory(), sharedMemory.maxBytes());
    return self();
  }

  /**
   * From what size in bytes (a value's encoded bytes) a value goes through shared memory. Default 1
   * MiB; at least 64 KiB.
   *
   * @throws IllegalArgumentException if {@code bytes} is less than 65536
   */
  public B sharedMemoryThreshold(int bytes) {
    if (bytes < SharedValues.MIN_THRESHOLD) {
      throw new IllegalArgumentException(
          "sharedMemoryThreshold cannot be less than "
              + SharedValues.MIN_THRESHOLD
              + ", was "
              + bytes);
    }
    this.sharedMemory =
        new SharedMemoryConfig(
            sharedMemory.enabled(), bytes, sharedMemory.directory(), sharedMemory.maxBytes());
    return self();
  }

  /**
   * Where each worker's shared-memory files are made: a directory on a memory file system (tmpfs)
   * that only this user can write to, ideally. Default {@code /dev/shm}. The files are created
   * owner-only with unpredictable names and deleted as soon as the worker has mapped them.
   */
  public B sharedMemoryDirectory(Path directory) {
    Objects.requireNonNull(directory, "sharedMemoryDirectory");
    this.sharedMemory =
        new SharedMemoryConfig(
            sharedMemory.enabled(), sharedMemory.threshold(), directory, sharedMemory.maxBytes());
    return self();
  }

  /**
   * The most shared memory one worker may use, both directions together. The region starts with a
   * 64 MiB segment for answers (sparse: memory is used as values pass) and grows by segments as
   * values need room. Default 1 GiB.
   *
   * @throws IllegalArgumentException if {@code bytes} is less than 1 MiB
   */
  public B sharedMemoryMaxBytes(long bytes) {
    if (bytes < 1024 * 1024) {
      throw new IllegalArgumentException(
          "sharedMemoryMaxBytes cannot be less than 1048576, was " + bytes);
    }
    this.sharedMemory =
        new SharedMemoryConfig(
            sharedMemory.enabled(), sharedMemory.threshold(), sharedMemory.directory(), bytes);
    return self();
  }

  /** The configuration of these settings' workers of {@code script}, run on {@code python}. */
  WorkerConfig workerConfig(Path script, String module, String python, RestartPolicy policy) {
    Map<String, String> variables = environment;
    Duration startup = startupTimeout;
    if (debug != null) {
      variables = new LinkedHashMap<>(environment);
      variables.put("SYNAPSE_DEBUG_PORT", Integer.toString(debug.port()));
      variables.put("SYNAPSE_DEBUG_PORTS", Integer.toString(debugPorts()));
      variables.put("SYNAPSE_DEBUG_HOST", debug.host());
      variables.put("SYNAPSE_DEBUG_WAIT", debug.waitForClient() ? "1" : "0");
      // pydevd warns on every start that frozen standard modules may miss breakpoints; handlers
      // are not frozen.
      variables.putIfAbsent("PYDEVD_DISABLE_FILE_VALIDATION", "1");
      Duration attach = Duration.ofMinutes(DebugOptions.ATTACH_WAIT_MINUTES);
      if (debug.waitForClient() && debug.suspendTimeouts() && startup.compareTo(attach) < 0) {
        startup = attach;
      }
    }
    return new WorkerConfig(
        script,
        module,
        python,
        startup,
        shutdownGrace,
        timeoutsSuspended() ? Duration.ZERO : callTimeout,
        cancelGrace,
        maxFrameBytes,
        policy,
        listener,
        callbackExecutor,
        workerEnvironment.resolve(System.getenv(), variables),
        HostFunctions.of(exposed, exposedExecutor),
        sharedMemory);
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

  /** Copies every worker setting to {@code copy}. */
  void copySettingsTo(WorkerSettings<?> copy) {
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
    copy.listener = listener;
    copy.callbackExecutor = callbackExecutor;
    copy.environment = new LinkedHashMap<>(environment);
    copy.workerEnvironment = workerEnvironment;
    copy.exposed = new LinkedHashMap<>(exposed);
    copy.exposedExecutor = exposedExecutor;
    copy.debug = debug;
    copy.sharedMemory = sharedMemory;
  }
}
