package dev.synapse.cli;

import dev.synapse.internal.env.EnvironmentStatus;
import dev.synapse.internal.launch.PysynapseHome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The checks of {@code synapse doctor} that ask the interpreter or the machine. */
final class MachineChecks {
  private static final long LOW_DISK = 500L << 20;
  private static final long NO_DISK = 50L << 20;

  /** Which codec pysynapse picks, asked of the interpreter the worker would run on. */
  private static final String CODEC_PROBE =
      String.join(
          "\n",
          "import pysynapse._codec as c",
          "if c.NAME != 'msgpack':",
          "    print('pure-Python codec (no msgpack >= 1.0 importable)')",
          "else:",
          "    import msgpack as m",
          "    c_ext = getattr(m.Packer, '__module__', '') == 'msgpack._cmsgpack'",
          "    v = '.'.join(map(str, m.version))",
          "    print('msgpack ' + v + (' (C)' if c_ext else ' (its pure-Python fallback)'))");

  private MachineChecks() {}

  static void codec(Report report, EnvironmentStatus status) {
    Path python =
        Files.isExecutable(status.workerPython()) ? status.workerPython() : status.interpreter();
    Map<String, String> env = Map.of("PYTHONPATH", PysynapseHome.directory().toString());
    Result result = run(List.of(python.toString(), "-c", CODEC_PROBE), env);
    if (result.exitCode == 0) {
      report.ok("pysynapse codec on " + python + ": " + result.output.strip());
    } else {
      report.problem(
          "pysynapse cannot be imported by " + python + ": " + lastLine(result.output),
          "check that the interpreter runs; see the output above");
    }
  }

  /** pip's configured index and find-links, and the index options the requirements set. */
  static void pipIndex(Report report, EnvironmentStatus status) {
    if (status.pipVersion().isEmpty()) {
      return;
    }
    Result result =
        run(
            List.of(status.interpreter().toString(), "-m", "pip", "config", "list"),
            Map.of("PYTHONIOENCODING", "utf-8"));
    List<String> settings = new ArrayList<>();
    for (String line : result.output.lines().toList()) {
      if (line.contains("index") || line.contains("find-links") || line.contains("trusted")) {
        settings.add(line.strip());
      }
    }
    Map<String, String> variables = new TreeMap<>();
    System.getenv()
        .forEach(
            (name, value) -> {
              if (name.startsWith("PIP_")
                  && (name.contains("INDEX") || name.contains("FIND_LINKS"))) {
                variables.put(name, value);
              }
            });
    variables.forEach((name, value) -> settings.add(name + "=" + value));
    report.ok(
        "pip index settings: "
            + (settings.isEmpty() ? "pip's defaults (PyPI)" : String.join("; ", settings)));
    if (!status.fileOptions().isEmpty()) {
      report.ok("the requirements set: " + String.join(", ", status.fileOptions()));
    }
  }

  static void sharedMemory(Report report) {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm)) {
      report.ok("shared-memory directory /dev/shm: not present on this system");
      return;
    }
    try {
      Path probe = Files.createTempFile(shm, "synapse-doctor-", ".tmp");
      Files.delete(probe);
      report.ok("shared-memory directory /dev/shm is writable");
    } catch (IOException e) {
      report.problem(
          "shared-memory directory /dev/shm is not writable: " + e.getMessage(),
          "mount a writable tmpfs at /dev/shm (Docker: --shm-size=256m)");
    }
  }

  static void disk(Report report, Path where) {
    Path dir = where.toAbsolutePath();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      return;
    }
    try {
      FileStore store = Files.getFileStore(dir);
      long free = store.getUsableSpace();
      String line = "free disk at " + dir + ": " + (free >> 20) + " MiB";
      if (free < NO_DISK) {
        report.problem(line, "free some space: a venv and pip's cache need it");
      } else if (free < LOW_DISK) {
        report.note(line + " (low)", "free some space before installing large packages");
      } else {
        report.ok(line);
      }
    } catch (IOException e) {
      report.note("cannot read the free disk space at " + dir + ": " + e.getMessage(), "none");
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> argv, Map<String, String> env) {
    Path output = null;
    try {
      // Output to a private file, not a pipe: a process that hangs cannot block the read.
      output = Files.createTempFile("synapse-doctor-", ".out");
      ProcessBuilder builder =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "did not answer within 60 s");
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          // A leftover file in the temp directory is harmless.
        }
      }
    }
  }

  private static String lastLine(String output) {
    List<String> lines = output.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
