package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static dev.synapse.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.HoldWorker;
import dev.synapse.testing.NoLeaks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No orphan processes: dispose, crash and a JVM killed outright all end the worker and its
 * children.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ProcessCleanupTest {
  @Test
  void dispose_endsTheWorkerAndTheProcessesItStarted() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build();
    synapse.spawn(module("toolbox"), "main");
    long worker = synapse.workerInfo().orElseThrow().pid();
    long child = (Long) synapse.invoke("spawn_child", null);
    assertThat(alive(child)).isTrue();

    synapse.dispose();

    assertThat(alive(worker)).isFalse();
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !alive(child));
  }

  @Test
  void crash_endsTheProcessesTheWorkerStarted() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");
      long child = (Long) synapse.invoke("spawn_child", null);

      try {
        synapse.invoke("kill_self", null);
      } catch (WorkerExitedException expected) {
        // the point of the test
      }

      Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !alive(child));
    }
  }

  @Test
  void disposeDoesNotWaitLongerThanTheGrace_forAWorkerBusyInAHandler() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).shutdownGrace(Duration.ofMillis(200)).build();
    synapse.spawn(module("toolbox"), "main");
    synapse.invokeAsync("sleep", 30);

    long start = System.nanoTime();
    synapse.dispose();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void jvmKilledOutright_leavesNoWorkerAliveAfterASecond() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String classpath = System.getProperty("java.class.path");
    List<String> command = new ArrayList<>(List.of(java, "-cp", classpath));
    command.add(HoldWorker.class.getName());
    command.add(PLAIN_PYTHON);
    command.add(module("toolbox").toString());
    Process jvm =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String[] pids;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
        pids = out.readLine().split(" ");
      }
      long worker = Long.parseLong(pids[0]);
      long child = Long.parseLong(pids[1]);
      assertThat(alive(worker)).isTrue();

      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      Awaitility.await()
          .atMost(Duration.ofMillis(1500))
          .until(() -> !alive(worker) && !alive(child));
    } finally {
      jvm.destroyForcibly();
    }
  }
}
