package dev.synapse.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts a JVM on this test class path that runs one of the test mains. */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code jvmOptions} and {@code args}; its stderr goes to this JVM's.
   */
  public static Process start(Class<?> main, List<String> jvmOptions, String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command =
        new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    command.addAll(jvmOptions);
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
