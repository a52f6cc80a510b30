package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static dev.synapse.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.launch.LiveProcesses;
import dev.synapse.testing.ChildJvm;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.HoldFamily;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.Processes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes that a handler starts and that leave the worker's process group (a session of their
 * own, a double-forked daemon) end with the worker however it ends: crash, dispose, or the JVM
 * killed outright.
 */
@ExtendWith(NoLeaks.class)
// A separate thread: a test blocked reading a child JVM's output is not interruptible.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DescendantProcessTest {
  @TempDir Path temp;

  private static void awaitGone(List<Long> pids) {
    Awaitility.await("processes " + pids + " gone")
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> pids.stream().noneMatch(Processes::alive));
  }

  @Test
  void workerKilled_endsItsSessionChildAndItsDaemon_seenWhileItLived() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("descendants"), "main");
      long worker = synapse.workerInfo().orElseThrow().pid();
      long sessionChild = (Long) synapse.invoke("session_child", null);
      long daemon = (Long) synapse.invoke("daemon", null);
      LiveProcesses.snapshot();
      assertThat(LiveProcesses.tracked(worker)).contains(sessionChild, daemon);

      assertThatThrownBy(() -> synapse.invoke("kill_self", null))
          .isInstanceOf(WorkerExitedException.class);

      awaitGone(List.of(worker, sessionChild, daemon));
    }
  }

  @Test
  void workerKilledRightAfterStartingASessionChild_endsTheChild_byThePipesItInherited()
      throws Exception {
    Path pidFile = temp.resolve("child.pid");
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("descendants"), "main");
      long worker = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.invoke("session_child_then_die", pidFile.toString()))
          .isInstanceOf(WorkerExitedException.class);

      long child = Long.parseLong(Files.readString(pidFile));
      awaitGone(List.of(worker, child));
    }
  }

  @Test
  void dispose_endsADoubleForkedDaemon_whichTheWorkerAdopted() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build();
    synapse.spawn(module("descendants"), "main");
    long worker = synapse.workerInfo().orElseThrow().pid();
    long daemon = (Long) synapse.invoke("daemon", null);
    assertThat(alive(daemon)).isTrue();
    assertThat(synapse.invoke("parent_of", daemon))
        .as("the worker is the subreaper of its orphans")
        .isEqualTo(worker);

    synapse.dispose();

    awaitGone(List.of(worker, daemon));
  }

  @Test
  void jvmKilledOutright_endsEveryProcessItStarted_inAnySession() throws Exception {
    Process jvm =
        ChildJvm.start(HoldFamily.class, List.of(), PLAIN_PYTHON, module("descendants").toString());
    try {
      List<Long> reported;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
        reported =
            List.of(out.readLine().split(" ")).stream()
                .map(Long::parseLong)
                .collect(Collectors.toList());
      }
      List<Long> started = jvm.descendants().map(ProcessHandle::pid).collect(Collectors.toList());
      assertThat(started).containsAll(reported);

      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      awaitGone(started);
    } finally {
      jvm.destroyForcibly();
    }
  }
}
