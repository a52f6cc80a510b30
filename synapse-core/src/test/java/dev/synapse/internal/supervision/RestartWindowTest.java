package dev.synapse.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.RestartPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The restart window and backoff, checked by advancing a hand-driven ticker. */
@Timeout(10)
class RestartWindowTest {
  private long now = 1_000;
  private final Ticker ticker = () -> now;

  private void advance(Duration by) {
    now += by.toNanos();
  }

  private RestartWindow window(int maxRestarts, Duration window) {
    return new RestartWindow(
        RestartPolicy.onCrash(maxRestarts, window, Duration.ofMillis(100), Duration.ofSeconds(1)),
        ticker);
  }

  @Test
  void never_allowsNoRestart() {
    RestartWindow never = new RestartWindow(RestartPolicy.never(), ticker);
    assertThat(never.tryRestart()).isFalse();
  }

  @Test
  void limitReached_refusesUntilTheOldestRestartLeavesTheWindow() {
    RestartWindow restarts = window(2, Duration.ofMinutes(1));
    assertThat(restarts.tryRestart()).isTrue();
    advance(Duration.ofSeconds(30));
    assertThat(restarts.tryRestart()).isTrue();
    assertThat(restarts.tryRestart()).isFalse();

    advance(Duration.ofSeconds(30));
    assertThat(restarts.tryRestart()).as("the first is exactly one window old").isFalse();
    advance(Duration.ofNanos(1));
    assertThat(restarts.tryRestart()).isTrue();
    assertThat(restarts.tryRestart()).isFalse();
  }

  @Test
  void aRefusedRestartIsNotCounted() {
    RestartWindow restarts = window(1, Duration.ofSeconds(10));
    assertThat(restarts.tryRestart()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(restarts.tryRestart()).isFalse();
    }
    advance(Duration.ofSeconds(11));
    assertThat(restarts.tryRestart()).isTrue();
  }

  @Test
  void backoff_doublesWithTheRestartsInTheWindow_upToTheMaximum() {
    RestartWindow restarts = window(10, Duration.ofMinutes(1));
    restarts.tryRestart();
    Duration first = restarts.backoff();
    restarts.tryRestart();
    Duration second = restarts.backoff();
    assertThat(second).isEqualTo(first.multipliedBy(2));
    for (int i = 0; i < 6; i++) {
      restarts.tryRestart();
    }
    assertThat(restarts.backoff()).isEqualTo(Duration.ofSeconds(1));

    advance(Duration.ofMinutes(2));
    restarts.tryRestart();
    assertThat(restarts.backoff()).as("the window emptied: back to the start").isEqualTo(first);
    assertThat(restarts.backoff(1)).isEqualTo(Duration.ofMillis(100));
  }
}
