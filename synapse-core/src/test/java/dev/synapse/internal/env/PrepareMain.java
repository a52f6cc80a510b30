package dev.synapse.internal.env;

import dev.synapse.SpawnPhase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Prepares one module's venv offline in a JVM of its own, for the test of two JVMs preparing one
 * directory at once, and for measuring cold and warm preparation by hand.
 *
 * <p>Arguments: {@code MODULE_DIR WHEELS_DIR [wait]}. With {@code wait} it first reads a line from
 * stdin, so the test can start both JVMs and then release them together. It prints {@code phase
 * NAME MILLIS} for each finished step, then {@code python PATH} and {@code millis TOTAL}, and exits
 * 0; on failure it prints the exception and exits 1.
 */
public final class PrepareMain {
  private PrepareMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 2 && args[2].equals("wait")) {
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    EnvironmentProgress progress =
        new EnvironmentProgress() {
          @Override
          public void phase(SpawnPhase phase, long elapsedMillis) {
            System.out.println("phase " + phase + " " + elapsedMillis);
          }
        };
    long start = System.nanoTime();
    try {
      Path python =
          PythonEnvironment.prepare(Modules.offline(Path.of(args[0]), Path.of(args[1])), progress);
      System.out.println("python " + python);
      System.out.println("millis " + (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException e) {
      e.printStackTrace(System.out);
      System.exit(1);
    }
  }
}
