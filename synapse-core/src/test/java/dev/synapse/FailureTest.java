package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workers that die: every waiting call fails at once, and the restart policy decides what is next.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class FailureTest {
  private final RecordingListener listener = new RecordingListener();

  private Synapse spawnToolbox(RestartPolicy policy) {
    Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).restartPolicy(policy).listener(listener).build();
    synapse.spawn(module("toolbox"), "main");
    return synapse;
  }

  @Test
  void killedMidCall_failsEveryPendingCallAtOnce_withExitCodeAndStderr() throws Exception {
    try (Synapse synapse = spawnToolbox(RestartPolicy.never())) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      synapse.invoke("chatter", "before the crash");
      List<CompletableFuture<Object>> pending = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        pending.add(synapse.invokeAsync("sleep", 30));
      }

      ProcessHandle.of(pid).orElseThrow().destroyForcibly();

      for (CompletableFuture<Object> call : pending) {
        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOfSatisfying(
                WorkerExitedException.class,
                e -> {
                  assertThat(e.exitCode()).isEqualTo(137);
                  assertThat(e.stderrTail()).contains("printed before the crash");
                });
      }
      assertThatThrownBy(() -> synapse.invoke("echo", 1))
          .isInstanceOf(WorkerExitedException.class)
          .hasMessageContaining("The worker is not running")
          .hasMessageContaining("call spawn()");
      assertThat(synapse.isRunning()).isFalse();

      synapse.spawn(module("toolbox"), "main");
      assertThat(synapse.invoke("echo", 2)).isEqualTo(2L);
    }
  }

  @Test
  @Timeout(300) // a dozen worker starts
  void killedMidCall_isNotRunningOnceTheCallHasFailed_soSpawnStartsANewWorker() {
    try (Synapse synapse = spawnToolbox(RestartPolicy.never())) {
      for (int round = 0; round < 12; round++) {
        long pid = synapse.workerInfo().orElseThrow().pid();
        CompletableFuture<Object> call = synapse.invokeAsync("sleep", 30);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(WorkerExitedException.class);
        assertThat(synapse.isRunning()).as("running after round %d's failure", round).isFalse();
        synapse.spawn(module("toolbox"), "main");
        assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(pid);
      }
    }
  }

  @Test
  void handlerThatKillsItsWorker_failsItsCall() {
    try (Synapse synapse = spawnToolbox(RestartPolicy.never())) {
      assertThatThrownBy(() -> synapse.invoke("exit_with", 3))
          .isInstanceOfSatisfying(
              WorkerExitedException.class, e -> assertThat(e.exitCode()).isEqualTo(3));
    }
  }

  @Test
  void aWorkerKilledWhileWritingAFrame_crashed_itDidNotWriteGarbage() {
    try (Synapse synapse = spawnToolbox(RestartPolicy.onCrash())) {
      long first = synapse.workerInfo().orElseThrow().pid();
      assertThatThrownBy(() -> synapse.invoke("die_mid_frame", null))
          .isInstanceOfSatisfying(
              WorkerExitedException.class, e -> assertThat(e.exitCode()).isEqualTo(137));
      assertThat(synapse.invoke("pid", null)).isNotEqualTo(first);
    }
  }

  @Test
  void segfault_leavesThePythonTracebackInTheException() {
    try (Synapse synapse = spawnToolbox(RestartPolicy.never())) {
      assertThatThrownBy(() -> synapse.invoke("segfault", null))
          .isInstanceOfSatisfying(
              WorkerExitedException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(139);
                assertThat(e.stderrTail()).contains("Segmentation fault", "in segfault");
              });
    }
  }

  @Test
  void restartPolicy_startsANewWorker_andLaterCallsSucceed() {
    RestartPolicy policy =
        RestartPolicy.onCrash(
            3, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(100));
    try (Synapse synapse = spawnToolbox(policy)) {
      long first = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.invoke("kill_self", null))
          .isInstanceOf(WorkerExitedException.class);

      assertThat(synapse.invoke("echo", "after restart")).isEqualTo("after restart");
      assertThat(synapse.invoke("pid", null)).isNotEqualTo(first);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(listener.events).anyMatch(e -> e.startsWith("restarting 1")));
    }
  }

  @Test
  void restartPolicy_givesUpAfterItsLimit() {
    RestartPolicy policy =
        RestartPolicy.onCrash(2, Duration.ofMinutes(1), Duration.ZERO, Duration.ZERO);
    try (Synapse synapse = spawnToolbox(policy)) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> synapse.invoke("kill_self", null))
            .isInstanceOf(WorkerExitedException.class);
      }
      assertThatThrownBy(() -> synapse.invoke("echo", 1))
          .isInstanceOf(WorkerExitedException.class)
          .hasMessageContaining("not running");
      assertThat(synapse.isRunning()).isFalse();
    }
  }

  @Test
  void oversizedInput_isRefusedBeforeSending_andTheWorkerStaysUsable() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).maxFrameBytes(64 * 1024).build()) {
      synapse.spawn(module("toolbox"), "main");

      assertThatThrownBy(() -> synapse.invoke("length", new byte[100_000]))
          .isInstanceOfSatisfying(
              FrameTooLargeException.class,
              e -> {
                assertThat(e.limit()).isEqualTo(64 * 1024);
                assertThat(e.size()).isGreaterThan(100_000);
              });
      assertThatThrownBy(() -> synapse.invoke("bytes_of", 100_000))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.ENCODE))
          .hasMessageContaining("65536");
      assertThat(synapse.invoke("length", new byte[1000])).isEqualTo(1000L);
    }
  }

  @Test
  void eachWaitingCallerGetsItsOwnException_withTheSharedFailureAsCause() throws Exception {
    try (Synapse synapse = spawnToolbox(RestartPolicy.never())) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Thread> callers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Thread caller =
            new Thread(
                () -> {
                  try {
                    synapse.invoke("async_sleep", 30);
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        caller.start();
        callers.add(caller);
      }
      Awaitility.await("every caller waits for its answer")
          .atMost(Duration.ofSeconds(10))
          .until(() -> callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));

      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      for (Thread caller : callers) {
        caller.join(10_000);
      }

      assertThat(failures).hasSize(3);
      assertThat(failures).allSatisfy(e -> assertThat(e).isInstanceOf(WorkerExitedException.class));
      assertThat(failures).doesNotHaveDuplicates();
      Throwable shared = failures.get(0).getCause();
      assertThat(shared).isInstanceOf(WorkerExitedException.class);
      assertThat(failures).allSatisfy(e -> assertThat(e.getCause()).isSameAs(shared));
      assertThat(failures.get(0).getStackTrace())
          .anySatisfy(frame -> assertThat(frame.getClassName()).contains("FailureTest"));
      assertThat(((WorkerExitedException) failures.get(1)).exitCode()).isEqualTo(137);
    }
  }

  @Test
  void callsCaughtByDispose_failWithInstanceDisposed() throws Exception {
    Synapse synapse = spawnToolbox(RestartPolicy.never());
    CompletableFuture<Object> inFlight = synapse.invokeAsync("async_sleep", 30);
    synapse.invoke("echo", "the sleep call was sent before this one");

    synapse.dispose();

    assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(InstanceDisposedException.class)
        .hasMessageContaining("dispose()");
    assertThatThrownBy(() -> synapse.call("after")).isInstanceOf(IllegalStateException.class);
  }
}
