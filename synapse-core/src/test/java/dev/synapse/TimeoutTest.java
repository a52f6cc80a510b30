package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
@Timeout(60)
class TimeoutTest {
  @Test
  void defaultTimeout_failsTheCall_andTheWorkerKeepsServing() {
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).callTimeout(Duration.ofMillis(300)).build()) {
      synapse.spawn(module("toolbox"), "main");
      long pid = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.invoke("sleep", 1.0))
          .isInstanceOfSatisfying(
              CallTimeoutException.class,
              e -> {
                assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
                assertThat(e.workerReplaced()).isFalse();
              });
      // A plain handler cannot be interrupted: the next call waits for it to finish.
      assertThat(synapse.execute(Request.invoke("echo", "next").withTimeout(Duration.ofSeconds(5))))
          .isEqualTo("next");
      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(pid);
    }
  }

  @Test
  void perCallTimeout_overridesTheDefault() {
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).callTimeout(Duration.ofMillis(100)).build()) {
      synapse.spawn(module("toolbox"), "main");

      assertThat(synapse.execute(Request.invoke("sleep", 0.3).withTimeout(Duration.ofSeconds(5))))
          .isEqualTo(0.3);
      assertThat(synapse.execute(Request.invoke("sleep", 0.3).withTimeout(Duration.ZERO)))
          .isEqualTo(0.3);
    }
  }

  @Test
  void timedOutAsyncHandler_isCancelledInPython() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");
      CompletableFuture<Object> call =
          synapse.executeAsync(
              Request.invoke("async_sleep", 30).withTimeout(Duration.ofSeconds(3)));
      // The timeout must find the coroutine running: a cancel that comes before its first step
      // never enters it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("async_sleep_started", null)));

      assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(CallTimeoutException.class);

      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("was_cancelled", null)));
    }
  }

  @Test
  void cancelledFuture_cancelsTheAsyncHandler() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");
      CompletableFuture<Object> call = synapse.invokeAsync("async_sleep", 30);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("async_sleep_started", null)));

      assertThat(call.cancel(true)).isTrue();

      assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("was_cancelled", null)));
    }
  }
}
