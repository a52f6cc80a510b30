package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The health ping goes through the worker's serve loop: a stuck main thread is not healthy. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class PingTest {
  private static final Duration ANSWER = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);

  private static long pid(SynapseCalls calls) {
    return (Long) calls.execute(Request.invoke("pid", null).withTimeout(ANSWER));
  }

  @Test
  void anIdleWorker_isHealthy() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("stuck"), "main");

      assertThat(synapse.ping(ANSWER)).isTrue();
      assertThat(synapse.ping(ANSWER)).isTrue();
    }
  }

  @Test
  void aWorkerStuckInAPlainHandler_isNotHealthy_untilTheHandlerEnds() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("stuck"), "main");
      long before = pid(synapse);
      CompletableFuture<Object> stuck = synapse.invokeAsync("sleep_forever", null);

      assertThat(synapse.ping(SHORT)).isFalse();
      assertThat(synapse.ping(SHORT)).isFalse();

      stuck.cancel(true); // interrupts the handler
      assertThat(synapse.ping(ANSWER)).isTrue();
      assertThat(pid(synapse)).isEqualTo(before);
    }
  }

  @Test
  void noWorker_isNotHealthy() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build();
    assertThat(synapse.ping(SHORT)).isFalse();
    synapse.spawn(module("stuck"), "main");
    synapse.dispose();
    assertThat(synapse.ping(SHORT)).isFalse();
  }

  @Test
  void aWorkerThatDied_isNotHealthy() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("stuck"), "main");
      ProcessHandle.of(pid(synapse)).orElseThrow().destroyForcibly();

      Awaitility.await().atMost(ANSWER).until(() -> !synapse.isRunning());
      assertThat(synapse.ping(SHORT)).isFalse();
    }
  }

  @Test
  void aSeedStyleWorker_isHealthyWhileItsProcessLives() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).build()) {
      synapse.spawn(module("seed"), "main");

      assertThat(synapse.ping(ANSWER)).isTrue();
      assertThat(synapse.workerInfo().orElseThrow().seedProtocol()).isTrue();
    }
  }

  @Test
  void theTimeout_mustBePositive() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      assertThatThrownBy(() -> synapse.ping(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("The ping timeout must be positive, was PT0S");
      assertThatThrownBy(() -> synapse.ping(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void aPool_isHealthyWhileOneWorkerAnswers_andReportsEachWorker() {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(2).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("stuck"), "main");
      assertThat(pool.pingWorkers(ANSWER)).hasSize(2).doesNotContainValue(false);

      CompletableFuture<Object> stuck = pool.invokeAsync("sleep_forever", null);
      Awaitility.await().atMost(ANSWER).until(() -> pool.pingWorkers(SHORT).containsValue(false));
      Map<Long, Boolean> each = pool.pingWorkers(SHORT);
      assertThat(each.values()).containsExactlyInAnyOrder(true, false);
      assertThat(pool.ping(SHORT)).isTrue();

      stuck.cancel(true);
      assertThat(pool.pingWorkers(ANSWER)).hasSize(2).doesNotContainValue(false);
    }
    SynapsePool disposed = Fixtures.pool(PLAIN_PYTHON).size(1).build();
    assertThat(disposed.ping(SHORT)).isFalse();
    assertThat(disposed.pingWorkers(SHORT)).isEmpty();
  }
}
