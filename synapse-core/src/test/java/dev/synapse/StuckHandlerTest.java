package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plain handlers that never return: Python interrupts those it can, and a worker whose handler does
 * not end within the grace period is replaced.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class StuckHandlerTest {
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  private static Synapse spawn(Duration grace) {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).cancelGrace(grace).build();
    synapse.spawn(module("stuck"), "main");
    return synapse;
  }

  private static long pid(SynapseCalls calls) {
    // A bound for a hang only: the worker may be being replaced, which takes seconds under load.
    return (Long) calls.execute(Request.invoke("pid", null).withTimeout(Duration.ofSeconds(30)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"spin", "sleep_forever", "deadlock"})
  void aTimedOutHandlerThatPythonCanInterrupt_endsAndTheWorkerLives(String function) {
    try (Synapse synapse = spawn(Duration.ofSeconds(5))) {
      long before = pid(synapse);

      assertThatThrownBy(() -> synapse.execute(Request.invoke(function, null).withTimeout(TIMEOUT)))
          .isInstanceOfSatisfying(
              CallTimeoutException.class, e -> assertThat(e.workerReplaced()).isFalse());

      assertThat(pid(synapse)).isEqualTo(before);
      assertThat(pid(synapse)).isEqualTo(before);
    }
  }

  @Test
  void aCancelledHandler_isInterruptedToo() throws Exception {
    try (Synapse synapse = spawn(Duration.ofSeconds(5))) {
      long before = pid(synapse);
      CompletableFuture<Object> spinning = synapse.invokeAsync("spin", null);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !spinning.isDone());

      spinning.cancel(true);

      assertThat(pid(synapse)).isEqualTo(before);
    }
  }

  @Test
  void aHandlerBlockedInC_isReplacedAfterTheGrace_andItsNeighboursFailSayingWhy() throws Exception {
    try (Synapse synapse = spawn(Duration.ofMillis(500))) {
      long before = pid(synapse);
      CompletableFuture<Object> stuck =
          synapse.executeAsync(Request.invoke("c_sleep", 1000).withTimeout(TIMEOUT));
      CompletableFuture<Object> behind = synapse.invokeAsync("pid", null);

      assertThatThrownBy(() -> stuck.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(CallTimeoutException.class);
      assertThatThrownBy(() -> behind.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(WorkerExitedException.class)
          .hasMessageContaining("did not return within the grace period of 500 ms");

      assertThat(pid(synapse)).isNotEqualTo(before);
      assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
  }

  @Test
  void aRequestsOwnGraceOfZero_replacesTheWorkerAtOnce() {
    try (Synapse synapse = spawn(Duration.ofSeconds(30))) {
      long before = pid(synapse);

      assertThatThrownBy(
              () ->
                  synapse.execute(
                      Request.invoke("c_sleep", 1000)
                          .withTimeout(TIMEOUT)
                          .withCancelGrace(Duration.ZERO)))
          .isInstanceOfSatisfying(
              CallTimeoutException.class, e -> assertThat(e.workerReplaced()).isTrue());

      assertThat(pid(synapse)).isNotEqualTo(before);
    }
  }

  @Test
  void pool_stopsSendingCallsToAStuckWorker() throws Exception {
    try (SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON).cancelGrace(Duration.ofMillis(300)).size(2).build()) {
      pool.spawn(module("stuck"), "main");
      assertThatThrownBy(() -> pool.execute(Request.invoke("c_sleep", 1000).withTimeout(TIMEOUT)))
          .isInstanceOf(CallTimeoutException.class);

      List<CompletableFuture<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(pool.executeAsync(Request.invoke("pid", null).withRetries(1)));
      }
      for (CompletableFuture<Object> call : calls) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isInstanceOf(Long.class);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(pool.execute(Request.invoke("pid", null).withTimeout(Duration.ofSeconds(2))))
            .isInstanceOf(Long.class);
      }
    }
  }

  @Test
  void builderAndRequest_refuseANegativeGrace() {
    assertThatThrownBy(() -> Synapse.builder().cancelGrace(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cancelGrace cannot be negative, was PT-0.001S");
    assertThatThrownBy(() -> Request.call(1).withCancelGrace(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
