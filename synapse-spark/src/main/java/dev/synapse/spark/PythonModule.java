package dev.synapse.spark;

import dev.synapse.SynapsePool;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.SparkFiles;

/**
 * A Python module as the executors of a Spark job start it: where its directory is on every node,
 * its entry point, and the settings of the executor's {@link SynapsePool} that runs it.
 *
 * <p>The directory is either a path that exists on every node (local mode, a shared file system),
 * see {@link #at(Path)}, or an archive shipped with the job by {@link SynapseSpark#ship}, found on
 * each executor under the job's files ({@link SparkFiles#get}). Each executor makes the module's
 * venv there the first time a task needs the module, as {@link SynapsePool#spawn} does anywhere.
 *
 * <p>Immutable, serializable (it travels inside the job's closures) and a value: two equal modules
 * share one pool per executor.
 */
public final class PythonModule implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String directory;
  private final boolean shipped;
  private final String entrypoint;
  private final String python;
  private final boolean useInterpreterAsIs;
  private final boolean systemSitePackages;
  private final List<String> pipArguments;
  private final String venvDirectory;
  private final int workers;
  private final Duration callTimeout;
  private final Map<String, String> environment;

  private PythonModule(Builder builder) {
    this.directory = builder.directory;
    this.shipped = builder.shipped;
    this.entrypoint = builder.entrypoint;
    this.python = builder.python;
    this.useInterpreterAsIs = builder.useInterpreterAsIs;
    this.systemSitePackages = builder.systemSitePackages;
    this.pipArguments = List.copyOf(builder.pipArguments);
    this.venvDirectory = builder.venvDirectory;
    this.workers = builder.workers;
    this.callTimeout = builder.callTimeout;
    this.environment = Map.copyOf(builder.environment);
  }

  /**
   * A module whose directory is {@code directory} on every node (local mode, or a path present on
   * every machine of the cluster).
   */
  public static Builder at(Path directory) {
    Objects.requireNonNull(directory, "directory");
    return new Builder(directory.toAbsolutePath().normalize().toString(), false);
  }

  /**
   * A module shipped with the job as an archive named {@code archiveName} (by {@link
   * SynapseSpark#ship}, or by {@code spark-submit --archives module.zip#archiveName}); executors
   * find it at {@code SparkFiles.get(archiveName)}.
   */
  public static Builder shipped(String archiveName) {
    Objects.requireNonNull(archiveName, "archiveName");
    if (archiveName.isBlank() || archiveName.contains("/") || archiveName.contains("\\")) {
      throw new IllegalArgumentException(
          "archiveName must be a plain file name, was '" + archiveName + "'");
    }
    return new Builder(archiveName, true);
  }

  /** The module's directory on this node: the shipped archive's unpacked directory, or the path. */
  Path directoryOnThisNode() {
    return shipped ? Path.of(SparkFiles.get(directory)) : Path.of(directory);
  }

  String entrypoint() {
    return entrypoint;
  }

  /** The pool's size: the configured one, else {@code executorCores}. */
  int poolSize(int executorCores) {
    return workers > 0 ? workers : Math.max(1, executorCores);
  }

  /** A pool builder with this module's worker settings and {@code size} workers. */
  SynapsePool.Builder poolBuilder(int size) {
    SynapsePool.Builder builder = SynapsePool.builder().size(size);
    if (python != null) {
      builder.python(python);
    }
    builder.useInterpreterAsIs(useInterpreterAsIs).systemSitePackages(systemSitePackages);
    builder.pipArguments(pipArguments.toArray(String[]::new));
    if (venvDirectory != null) {
      builder.venvDirectory(Path.of(venvDirectory));
    }
    builder.callTimeout(callTimeout);
    builder.environment(environment);
    return builder;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PythonModule that
        && directory.equals(that.directory)
        && shipped == that.shipped
        && entrypoint.equals(that.entrypoint)
        && Objects.equals(python, that.python)
        && useInterpreterAsIs == that.useInterpreterAsIs
        && systemSitePackages == that.systemSitePackages
        && pipArguments.equals(that.pipArguments)
        && Objects.equals(venvDirectory, that.venvDirectory)
        && workers == that.workers
        && callTimeout.equals(that.callTimeout)
        && environment.equals(that.environment);
  }

  @Override
  public int hashCode() {
    return Objects.hash(directory, shipped, entrypoint, python, workers);
  }

  @Override
  public String toString() {
    return "PythonModule[" + (shipped ? "shipped " : "") + directory + "/" + entrypoint + ".py]";
  }

  /** Builds a {@link PythonModule}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private final String directory;
    private final boolean shipped;
    private String entrypoint = "main";
    private String python;
    private boolean useInterpreterAsIs;
    private boolean systemSitePackages;
    private List<String> pipArguments = new ArrayList<>();
    private String venvDirectory;
    private int workers;
    private Duration callTimeout = Duration.ZERO;
    private final Map<String, String> environment = new LinkedHashMap<>();

    private Builder(String directory, boolean shipped) {
      this.directory = directory;
      this.shipped = shipped;
    }

    /** The script in the module's directory, without {@code .py}. Default {@code main}. */
    public Builder entrypoint(String entrypoint) {
      Objects.requireNonNull(entrypoint, "entrypoint");
      if (entrypoint.isBlank()) {
        throw new IllegalArgumentException("entrypoint cannot be empty");
      }
      this.entrypoint = entrypoint;
      return this;
    }

    /**
     * The Python interpreter on every node, as {@code WorkerSettings.python}. Default: the
     * executor's {@code SYNAPSE_PYTHON}, else {@code python3}.
     */
    public Builder python(String python) {
      Objects.requireNonNull(python, "python");
      if (python.isBlank()) {
        throw new IllegalArgumentException("python cannot be empty");
      }
      this.python = python;
      return this;
    }

    /** Run on {@link #python} as it is, without a venv (as {@code WorkerSettings}). */
    public Builder useInterpreterAsIs(boolean asIs) {
      this.useInterpreterAsIs = asIs;
      return this;
    }

    /** Whether the venv sees the interpreter's own packages (as {@code WorkerSettings}). */
    public Builder systemSitePackages(boolean enabled) {
      this.systemSitePackages = enabled;
      return this;
    }

    /** Extra arguments for pip, e.g. {@code --no-index --find-links DIR} (as WorkerSettings). */
    public Builder pipArguments(String... arguments) {
      Objects.requireNonNull(arguments, "pipArguments");
      List<String> copy = new ArrayList<>();
      for (String argument : arguments) {
        copy.add(Objects.requireNonNull(argument, "a pip argument is null"));
      }
      this.pipArguments = copy;
      return this;
    }

    /**
     * Where each node keeps the module's venv; relative to the module's directory. Default {@code
     * .venv} inside it (a shipped module: one venv per application and executor's work directory).
     * An absolute path shares one venv between the applications on a node.
     */
    public Builder venvDirectory(String directory) {
      Objects.requireNonNull(directory, "venvDirectory");
      this.venvDirectory = directory;
      return this;
    }

    /**
     * Workers per executor; 0 (the default) means as many as the executor has cores ({@code
     * spark.executor.cores}, or N of {@code local[N]}), so that every task slot has one.
     */
    public Builder workersPerExecutor(int workers) {
      if (workers < 0) {
        throw new IllegalArgumentException("workersPerExecutor cannot be negative, was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** The timeout of each call to Python (a batch); zero (the default) for none. */
    public Builder callTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "callTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("callTimeout cannot be negative, was " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /** An environment variable of the workers. */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public PythonModule build() {
      return new PythonModule(this);
    }
  }
}
