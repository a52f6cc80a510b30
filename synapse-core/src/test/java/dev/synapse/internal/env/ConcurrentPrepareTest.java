package dev.synapse.internal.env;

import static dev.synapse.internal.env.Modules.module;
import static dev.synapse.internal.env.Modules.offline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.TinyWheel;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Several preparers of one module directory at once: one builds the venv, the others wait and reuse
 * it.
 */
@Timeout(60)
class ConcurrentPrepareTest {
  @TempDir Path root;

  private final Set<Long> processesBefore = Modules.childProcesses();

  @AfterEach
  void noProcessLeft() {
    Modules.assertNoChildProcessesBut(processesBefore);
  }

  @Test
  void fourThreads_oneCreatesAndInstalls_theOthersReuse() throws Exception {
    Path wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
    Path dir = module(root, "threads", "tinypkg\n");
    RecordingRunner runner = new RecordingRunner();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return PythonEnvironment.prepare(
                      offline(dir, wheels), EnvironmentProgress.NONE, runner);
                }));
      }
      start.countDown();
      Set<Path> pythons = new LinkedHashSet<>();
      for (Future<Path> result : results) {
        pythons.add(result.get(50, TimeUnit.SECONDS));
      }

      assertThat(pythons).containsExactly(dir.resolve(".venv/bin/python"));
      assertThat(runner.venvRuns()).hasSize(1);
      assertThat(runner.pipRuns()).hasSize(1);
      assertThat(
              Modules.run(dir.resolve(".venv/bin/python"), "import tinypkg; print(tinypkg.VALUE)"))
          .isEqualTo("tinypkg-1.0");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoJvms_oneCreatesAndInstalls_theOtherWaitsAndReuses() throws Exception {
    Path wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
    Path dir = module(root, "jvms", "tinypkg\n");
    List<Process> jvms = List.of(startPrepareMain(dir, wheels), startPrepareMain(dir, wheels));
    try {
      for (Process jvm : jvms) {
        try (OutputStream stdin = jvm.getOutputStream()) {
          stdin.write("go\n".getBytes(StandardCharsets.UTF_8));
        }
      }
      List<String> outputs = new ArrayList<>();
      for (Process jvm : jvms) {
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(output).isZero();
        outputs.add(output);
      }

      assertThat(outputs)
          .allMatch(output -> output.contains("python " + dir.resolve(".venv/bin/python") + "\n"));
      assertThat(outputs).filteredOn(output -> output.contains("phase CREATING_VENV")).hasSize(1);
      assertThat(outputs).filteredOn(output -> output.contains("phase INSTALLING")).hasSize(1);
      assertThat(outputs).filteredOn(output -> !output.contains("phase ")).hasSize(1);
    } finally {
      jvms.forEach(Process::destroyForcibly);
    }
  }

  private static Process startPrepareMain(Path dir, Path wheels)
      throws IOException, URISyntaxException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command =
        List.of(
            java,
            "-cp",
            classPath(),
            PrepareMain.class.getName(),
            dir.toString(),
            wheels.toString(),
            "wait");
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /**
   * This JVM's class path, plus its module path (surefire may put the tests there) and the places
   * the classes the child needs were loaded from, in case neither property lists them.
   */
  private static String classPath() throws URISyntaxException {
    Set<String> entries = new LinkedHashSet<>();
    for (String property : List.of("java.class.path", "jdk.module.path")) {
      String value = System.getProperty(property);
      if (value != null && !value.isEmpty()) {
        entries.addAll(List.of(value.split(File.pathSeparator)));
      }
    }
    for (Class<?> type : List.of(PrepareMain.class, PythonEnvironment.class, LoggerFactory.class)) {
      entries.add(
          Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
