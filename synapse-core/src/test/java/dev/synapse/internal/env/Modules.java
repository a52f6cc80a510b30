package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/** Shared fixtures: module directories, an offline pip, and running Python snippets. */
final class Modules {
  /** Debian's interpreter, which sees the apt package python3-msgpack. */
  static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

  private Modules() {}

  /** A module directory {@code root/name} with that requirements file and a {@code main.py}. */
  static Path module(Path root, String name, String requirements) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("main.py"), "import sys\n");
    if (requirements != null) {
      Files.writeString(dir.resolve("requirements.txt"), requirements);
    }
    return dir;
  }

  /**
   * The defaults, with pip kept off this machine's configuration (a global find-links, extra index
   * URLs and a constraints file, and PIP_* variables) and pointed at {@code wheels} only.
   */
  static EnvironmentSpec offline(Path moduleDir, Path wheels) {
    return EnvironmentSpec.of(moduleDir)
        .withPipArguments(List.of("--isolated", "--no-index", "--find-links", wheels.toString()))
        .withEnvironment(Map.of("PIP_CONFIG_FILE", "/dev/null"))
        .withInstallTimeout(Duration.ofSeconds(120));
  }

  /**
   * Runs {@code python -c code} and returns its stdout and stderr, stripped; fails on a non-zero
   * exit.
   */
  static String run(Path python, String code) throws IOException, InterruptedException {
    Result result = tryRun(python, code);
    assertThat(result.exitCode())
        .as("exit code of %s -c %s; output: %s", python, code, result.output())
        .isZero();
    return result.output();
  }

  static Result tryRun(Path python, String code) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(python.toString(), "-c", code).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(python + " -c " + code + " did not exit");
    }
    return new Result(process.exitValue(), output);
  }

  /**
   * Runs a command to its end with pip kept off this machine's configuration; fails on a non-zero
   * exit, showing its output.
   */
  static void exec(String... argv) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().put("PIP_CONFIG_FILE", "/dev/null");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", argv) + " did not exit");
    }
    assertThat(process.exitValue())
        .as("exit code of %s; output: %s", List.of(argv), output)
        .isZero();
  }

  /** The pids of this JVM's descendants now, so a test can later check it left none of its own. */
  static Set<Long> childProcesses() {
    return ProcessHandle.current()
        .descendants()
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /**
   * Fails unless every descendant of this JVM that was not in {@code before} is gone (killing is
   * asynchronous: wait a little). Processes of other test classes are not this test's business.
   */
  static void assertNoChildProcessesBut(Set<Long> before) {
    Awaitility.await("child processes of the test to end")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(
                        ProcessHandle.current()
                            .descendants()
                            .filter(process -> !before.contains(process.pid()))
                            .map(Modules::describe)
                            .toList())
                    .isEmpty());
  }

  private static String describe(ProcessHandle process) {
    return process.pid() + " " + process.info().commandLine().orElse("?");
  }

  record Result(int exitCode, String output) {}
}
