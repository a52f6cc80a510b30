package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A seed-style module that writes two answers to one request: the bootstrap never lets the second
 * one through (it would be the next caller's answer) and ends the worker instead.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class SeedProtocolFaultTest {
  /** The exit code pysynapse's bootstrap ends such a worker with (pysynapse._stdio). */
  private static final int SECOND_ANSWER_EXIT = 70;

  private final RecordingListener listener = new RecordingListener();

  @Test
  void aSecondAnswerToOneRequest_neverReachesTheNextCaller() throws Exception {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).listener(listener).build()) {
      synapse.spawn(module("seed_answers_twice"), "main");

      assertThat(synapse.call("twice")).isEqualTo(List.of("answer", "twice"));
      CompletableFuture<Object> next = synapse.callAsync("next");

      assertThatThrownBy(() -> next.get(20, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(WorkerExitedException.class)
          .satisfies(
              e -> {
                WorkerExitedException exited = (WorkerExitedException) e;
                assertThat(exited.exitCode()).isEqualTo(SECOND_ANSWER_EXIT);
                assertThat(exited.stderrTail())
                    .contains("the module wrote a second answer to one request");
              });
      assertThat(synapse.isRunning()).isFalse(); // already when the call failed
      synapse.spawn(module("seed_answers_twice"), "main"); // the default policy: no restart
      assertThat(synapse.call("after")).isEqualTo(List.of("answer", "after"));
    }
  }

  @Test
  void callsAnsweredOnce_areUnaffected() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).listener(listener).build()) {
      synapse.spawn(module("seed_answers_twice"), "main");
      for (int i = 0; i < 20; i++) {
        assertThat(synapse.call(i)).isEqualTo(List.of("answer", (long) i));
      }
    }
  }
}
