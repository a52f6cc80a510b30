package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seed-style modules, which read their stdin themselves as in the original library, unchanged (they
 * import msgpack, so they run on Debian's interpreter, which has it).
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class SeedModuleTest {
  private final RecordingListener listener = new RecordingListener();

  private Synapse spawn(String fixture, Synapse.Builder builder) {
    Synapse synapse = builder.listener(listener).build();
    synapse.spawn(module(fixture), "main");
    return synapse;
  }

  private Synapse spawn(String fixture) {
    return spawn(fixture, Fixtures.builder(DEBIAN_PYTHON));
  }

  @Test
  void theSeedReadmeModuleAnswers_evenThoughItPrintsOnEveryCall() {
    try (Synapse synapse = spawn("seed")) {
      assertThat(synapse.workerInfo().orElseThrow().seedProtocol()).isTrue();

      assertThat(synapse.call(Map.of("foo", "bar")))
          .isEqualTo(Map.of("data", "Processing result from py of payload: {'foo': 'bar'}"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> listener.texts().contains("Do something with the payload"));
    }
  }

  @Test
  void sequentialCalls() {
    try (Synapse synapse = spawn("seed")) {
      for (int i = 0; i < 50; i++) {
        assertThat(synapse.call(i))
            .isEqualTo(Map.of("data", "Processing result from py of payload: " + i));
      }
    }
  }

  @Test
  void parallelCallsAreQueuedAndEachAnsweredToItsCaller() throws Exception {
    try (Synapse synapse = spawn("seed")) {
      List<CompletableFuture<Object>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(synapse.callAsync(i));
      }
      for (int i = 0; i < 200; i++) {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS))
            .isEqualTo(Map.of("data", "Processing result from py of payload: " + i));
      }
    }
  }

  @Test
  void errorAnswer_isAPythonException() {
    try (Synapse synapse = spawn("seed_error")) {
      assertThatThrownBy(() -> synapse.call(Map.of("fail", "no way")))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.ERROR_ANSWER);
                assertThat(e.pythonMessage()).isEqualTo("refused: no way");
              });
      assertThat(synapse.call("ok")).isEqualTo("ok");
    }
  }

  @Test
  void namedFunctions_areRefusedClearly() {
    try (Synapse synapse = spawn("seed_error")) {
      assertThatThrownBy(() -> synapse.invoke("predict", 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("runs its own loop");
      assertThat(synapse.call("ok")).isEqualTo("ok");
    }
  }

  @Test
  void garbageOnStdout_failsThePendingCall_andTheWorkerIsReplaced() {
    try (Synapse synapse = spawn("seed_garbage")) {
      long first = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.call("garbage"))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("exceeds the maximum frame size");

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> synapse.workerInfo().map(WorkerInfo::pid).orElse(first) != first);
      assertThat(synapse.call("clean")).isEqualTo("clean");
    }
  }

  @Test
  void timedOutCall_replacesTheWorker_andQueuedCallsGoToTheNewOne() throws Exception {
    try (Synapse synapse = spawn("seed_slow")) {
      long first = synapse.workerInfo().orElseThrow().pid();
      CompletableFuture<Object> slow =
          synapse.executeAsync(Request.call(30).withTimeout(Duration.ofMillis(500)));
      CompletableFuture<Object> queued = synapse.callAsync("after");

      assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CallTimeoutException.class)
          .cause()
          .satisfies(e -> assertThat(((CallTimeoutException) e).workerReplaced()).isTrue())
          .hasMessageContaining("replaced");
      List<?> answer = (List<?>) queued.get(20, TimeUnit.SECONDS);
      assertThat(answer.get(0)).isEqualTo("after");
      assertThat(answer.get(1)).isNotEqualTo(first);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false));
    }
  }
}
