package dev.synapse.bench.report;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.jmh.JmhRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a result depends on besides the code, written at the top of every results file so that two
 * files can be compared: the machine, the JDK, the Python interpreters and their codecs, the
 * commit, and the command. Whatever cannot be found out reads "unknown" rather than failing the
 * run.
 */
public final class Environment {
  private static final String PYTHON_PROBE =
      String.join(
          "\n",
          "import platform, sys",
          "parts = ['Python ' + platform.python_version() + ' (' + sys.executable + ')']",
          "try:",
          "    import msgpack",
          "    kind = 'C' if 'cmsgpack' in type(msgpack.Packer()).__module__ else 'pure-Python fallback'",
          "    parts.append('msgpack ' + '.'.join(map(str, msgpack.version)) + ' (' + kind + ')')",
          "except ImportError:",
          "    parts.append('no msgpack: pysynapse uses its pure-Python codec')",
          "try:",
          "    import numpy",
          "    parts.append('numpy ' + numpy.__version__)",
          "except ImportError:",
          "    parts.append('no numpy')",
          "print(', '.join(parts))");

  private Environment() {}

  /** One line per fact, each {@code - Name: value}. */
  public static List<String> describe(BenchSettings settings, Path repository, MachineLoad load) {
    List<String> lines = new ArrayList<>();
    lines.add("- Command: `" + command() + "`");
    lines.add("- Machine: " + machine());
    lines.add("- Load: " + load.describe());
    lines.add(
        "- JDK: "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.vm.version")
            + ", "
            + System.getProperty("java.vendor")
            + "); JMH forks run with "
            + String.join(" ", JmhRunner.forkOptions()));
    lines.add("- Python measured: `" + settings.python() + "`: " + python(settings.python()));
    if (!BenchModules.workerEnvironment().isEmpty()) {
      lines.add(
          "- Extra worker environment (`-Dbench.workerEnv`): `"
              + BenchModules.workerEnvironment()
              + "`");
    }
    if (settings.pure()) {
      lines.add(
          "- Python of the pure-codec row: `"
              + settings.purePython()
              + "`: "
              + python(settings.purePython()));
    }
    lines.add("- Synapse: " + commit(repository));
    return lines;
  }

  /** The mvn command line that started this run, as Maven's launcher exports it. */
  public static String command() {
    String args = System.getenv("MAVEN_CMD_LINE_ARGS");
    if (args == null || args.isBlank()) {
      return "java dev.synapse.bench.BenchMain (not started by mvn)";
    }
    return "mvn " + args.trim();
  }

  private static String machine() {
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU");
    String memory =
        firstValue(Path.of("/proc/meminfo"), "MemTotal")
            .map(
                kb ->
                    String.format(
                        Locale.ROOT,
                        "%.1f GiB",
                        Long.parseLong(kb.replaceAll("[^0-9]", "")) / 1048576.0))
            .orElse("unknown");
    return Runtime.getRuntime().availableProcessors()
        + " CPUs available to the JVM ("
        + cpu
        + "), "
        + memory
        + " memory, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + " "
        + System.getProperty("os.arch");
  }

  private static Optional<String> firstValue(Path file, String key) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines
          .filter(line -> line.startsWith(key))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String python(String interpreter) {
    return run(List.of(interpreter, "-c", PYTHON_PROBE), null)
        .orElse("unknown (" + interpreter + " did not run)");
  }

  private static String commit(Path repository) {
    String head =
        run(List.of("git", "rev-parse", "--short", "HEAD"), repository).orElse("unknown commit");
    String changes =
        run(List.of("git", "status", "--porcelain", "--untracked-files=no"), repository).orElse("");
    return "git " + head + (changes.isEmpty() ? "" : " with uncommitted changes");
  }

  private static Optional<String> run(List<String> command, Path directory) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      Process process = builder.start();
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return Optional.empty();
      }
      return Optional.of(out);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
