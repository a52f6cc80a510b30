package dev.synapse.bench.versus;

import dev.synapse.bench.fixture.BenchModules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A running {@link VersusChild}: one side of the comparison, driven line by line. */
final class VersusProcess implements AutoCloseable {
  private final Process process;
  private final PrintStream commands;
  private final BufferedReader answers;

  private VersusProcess(Process process) {
    this.process = process;
    this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.answers =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts a child on {@code classpath} that calls the echo module on {@code python}; with {@code
   * cpus} not blank, the child and its worker run on those CPUs only ({@code taskset -c}).
   */
  static VersusProcess start(String classpath, String python, String cpus) throws IOException {
    List<String> command = new ArrayList<>();
    if (!cpus.isBlank()) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xms1g", "-Xmx1g", "-cp", classpath, VersusChild.class.getName()));
    command.add(python);
    command.add(BenchModules.module("echo").toString());
    BenchModules.workerEnvironment().forEach((name, value) -> command.add(name + "=" + value));
    Process process = new ProcessBuilder(command).redirectError(Redirect.INHERIT).start();
    VersusProcess child = new VersusProcess(process);
    try {
      child.expect("ready");
      return child;
    } catch (IOException | RuntimeException e) {
      child.close();
      throw e;
    }
  }

  /** {@code calls} sequential round trips: their p50 and p99 in microseconds. */
  double[] roundTrips(int calls) throws IOException {
    String[] parts = ask("rt " + calls).split(" ");
    return new double[] {Long.parseLong(parts[0]) / 1e3, Long.parseLong(parts[1]) / 1e3};
  }

  /** The median of {@code count} spawns to the first answer, in milliseconds. */
  double spawnMillis(int count) throws IOException {
    return Long.parseLong(ask("sp " + count)) / 1e6;
  }

  /** Calls per second from {@code threads} threads over {@code millis}. */
  double callsPerSecond(int threads, long millis) throws IOException {
    return Long.parseLong(ask("tp " + threads + " " + millis));
  }

  private String ask(String command) throws IOException {
    commands.println(command);
    String line = answers.readLine();
    if (line == null) {
      throw new IOException("the child ended instead of answering '" + command + "'");
    }
    return line;
  }

  private void expect(String text) throws IOException {
    String line = answers.readLine();
    if (!text.equals(line)) {
      throw new IOException("the child said '" + line + "' instead of '" + text + "'");
    }
  }

  @Override
  public void close() {
    commands.println("quit");
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
