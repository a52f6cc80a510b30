package dev.synapse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the {@code synapse} command as a real process, as a Dockerfile or CI job runs it. */
final class CliProcess {
  static final Path JAR = Path.of(System.getProperty("synapse.cli.jar", "target/missing.jar"));
  static final Path LAUNCHER =
      Path.of(System.getProperty("synapse.cli.launcher", "target/missing-launcher"));

  /** Exit status, stdout and stderr of a finished run. */
  record Run(int exitCode, String out, String err) {}

  private CliProcess() {}

  /** {@code java -jar synapse-cli.jar ARGUMENTS}, in {@code directory}. */
  static Run jar(Path directory, List<String> arguments) throws IOException, InterruptedException {
    assertThat(JAR).as("the shaded jar, built by mvn package").isRegularFile();
    List<String> argv = new ArrayList<>(List.of(javaExecutable(), "-jar", JAR.toString()));
    argv.addAll(arguments);
    return run(directory, argv, Map.of());
  }

  /**
   * {@code synapse ARGUMENTS} through the launcher script (run by {@code /bin/sh}: the build does
   * not make it executable), with {@code environment} added.
   */
  static Run launcher(Path directory, List<String> arguments, Map<String, String> environment)
      throws IOException, InterruptedException {
    assertThat(LAUNCHER).as("the launcher, made by mvn package").isRegularFile();
    List<String> argv = new ArrayList<>(List.of("/bin/sh", LAUNCHER.toString()));
    argv.addAll(arguments);
    return run(directory, argv, environment);
  }

  private static Run run(Path directory, List<String> argv, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile());
    builder.environment().put("PIP_CONFIG_FILE", "/dev/null");
    builder.environment().remove("SYNAPSE_PYTHON");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    String out = readAll(process.getInputStream());
    if (!process.waitFor(150, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(argv + " did not exit");
    }
    return new Run(process.exitValue(), out, err.join());
  }

  /** Runs a helper command, which must succeed. */
  static void exec(List<String> argv) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = readAll(process.getInputStream());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
