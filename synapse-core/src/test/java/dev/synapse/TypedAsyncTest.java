package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The typed asynchronous forms: converted answers, conversion failures, and cancellation. (The
 * first conversion loads Jackson, which takes seconds on a busy machine: the waits are generous.)
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class TypedAsyncTest {
  private static Synapse toolbox() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build();
    synapse.spawn(module("toolbox"), "main");
    return synapse;
  }

  @Test
  void callAsyncAndInvokeAsync_convertTheAnswer() throws Exception {
    try (Synapse synapse = toolbox()) {
      assertThat(synapse.invokeAsync("echo", 7, Integer.class).get(30, TimeUnit.SECONDS))
          .isEqualTo(7);
      assertThat(
              synapse
                  .invokeAsync("echo", List.of(1, 2), new TypeReference<List<Integer>>() {})
                  .get(30, TimeUnit.SECONDS))
          .containsExactly(1, 2);
      assertThatThrownBy(
              () -> synapse.invokeAsync("echo", "x", Long.class).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SynapseException.class);
    }
  }

  @Test
  void cancellingATypedFuture_cancelsTheCallInTheWorker() throws Exception {
    try (Synapse synapse = toolbox()) {
      CompletableFuture<Long> sleeping = synapse.invokeAsync("async_sleep", 30, Long.class);
      // A cancel that reaches the event loop before the coroutine's first step never enters it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("async_sleep_started", null)));

      assertThat(sleeping.cancel(true)).isTrue();

      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Boolean.TRUE.equals(synapse.invoke("was_cancelled", null)));
    }
  }
}
