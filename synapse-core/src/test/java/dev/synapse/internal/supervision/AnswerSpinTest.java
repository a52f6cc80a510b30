package dev.synapse.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When a blocking caller spins for its answer, and for how long: with a clock the test moves. */
@Timeout(10)
class AnswerSpinTest {
  /**
   * A clock that moves {@code step} nanoseconds at each reading, and counts them: a spin reads it
   * at least twice, a caller that does not spin never.
   */
  private static final class SteppingTicker implements Ticker {
    final AtomicInteger readings = new AtomicInteger();
    private final long step;
    private long now;
    private Runnable atReading = () -> {};

    SteppingTicker(long step) {
      this.step = step;
    }

    @Override
    public synchronized long read() {
      readings.incrementAndGet();
      atReading.run();
      now += step;
      return now;
    }

    int takeReadings() {
      return readings.getAndSet(0);
    }
  }

  @Test
  void aSpinEndsAsSoonAsItsAnswerArrives() {
    SteppingTicker ticker = new SteppingTicker(0); // time stands still: only the answer ends it
    CompletableFuture<Object> answer = new CompletableFuture<>();
    AtomicInteger readings = new AtomicInteger();
    ticker.atReading =
        () -> {
          if (readings.incrementAndGet() == 5) {
            answer.complete("done");
          }
        };
    AnswerSpin spin = new AnswerSpin(ticker, new AnswerSpin.Permits(1));

    spin.spinBriefly(answer);

    assertThat(answer).isCompletedWithValue("done");
    assertThat(ticker.takeReadings()).isEqualTo(5);
  }

  @Test
  void aSpinGivesUpAtTheLimit_andTheNextCallsParkAtOnce_twiceAsManyAfterEachMiss() {
    SteppingTicker ticker = new SteppingTicker(AnswerSpin.LIMIT_NANOS / 4);
    AnswerSpin spin = new AnswerSpin(ticker, new AnswerSpin.Permits(1));
    CompletableFuture<Object> never = new CompletableFuture<>();

    spin.spinBriefly(never);
    assertThat(ticker.takeReadings()).as("the start and four steps to the limit").isEqualTo(5);

    for (int pause : new int[] {2, 4, 8}) {
      for (int i = 0; i < pause; i++) {
        spin.spinBriefly(never);
        assertThat(ticker.takeReadings()).as("paused call %d of %d", i + 1, pause).isZero();
      }
      spin.spinBriefly(never); // spins again, and misses again
      assertThat(ticker.takeReadings()).isEqualTo(5);
    }
  }

  @Test
  void thePauseStopsGrowingAtItsLongest() {
    SteppingTicker ticker = new SteppingTicker(AnswerSpin.LIMIT_NANOS);
    AnswerSpin spin = new AnswerSpin(ticker, new AnswerSpin.Permits(1));
    CompletableFuture<Object> never = new CompletableFuture<>();
    List<Integer> gaps = new ArrayList<>();
    int last = 0;
    for (int call = 1; call <= 8 * AnswerSpin.LONGEST_PAUSE; call++) {
      spin.spinBriefly(never);
      if (ticker.takeReadings() > 0) {
        gaps.add(call - last);
        last = call;
      }
    }
    // Every spin misses: 2, 4, ... 1024 calls park at once after each, and then 1024 again.
    assertThat(gaps.subList(0, 12))
        .containsExactly(1, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025, 1025);
    assertThat(gaps.subList(11, gaps.size())).containsOnly(AnswerSpin.LONGEST_PAUSE + 1);
  }

  @Test
  void aSpinThatCatchesItsAnswer_endsThePause() {
    SteppingTicker ticker = new SteppingTicker(AnswerSpin.LIMIT_NANOS);
    AnswerSpin spin = new AnswerSpin(ticker, new AnswerSpin.Permits(1));
    CompletableFuture<Object> never = new CompletableFuture<>();
    spin.spinBriefly(never); // a miss: 2 calls park at once
    spin.spinBriefly(never);
    spin.spinBriefly(never);
    spin.spinBriefly(never); // a miss: 4 calls park at once
    for (int i = 0; i < 4; i++) {
      spin.spinBriefly(never);
    }
    ticker.takeReadings();

    spin.spinBriefly(CompletableFuture.completedFuture("at once"));
    assertThat(ticker.takeReadings()).as("it spun, and caught its answer").isPositive();

    spin.spinBriefly(never); // a miss again: the pause starts again from 2 calls, not 8
    ticker.takeReadings();
    spin.spinBriefly(never);
    spin.spinBriefly(never);
    assertThat(ticker.takeReadings()).isZero();
    spin.spinBriefly(never);
    assertThat(ticker.takeReadings()).isPositive();
  }

  @Test
  void withoutAFreePermit_aCallerDoesNotSpin() {
    SteppingTicker ticker = new SteppingTicker(AnswerSpin.LIMIT_NANOS);
    AnswerSpin spin = new AnswerSpin(ticker, new AnswerSpin.Permits(0));

    spin.spinBriefly(new CompletableFuture<>());

    assertThat(ticker.takeReadings()).isZero();
  }

  @Test
  void aPermitIsHeldWhileItsCallerSpins_andGivenBackAfter() throws Exception {
    AnswerSpin.Permits permits = new AnswerSpin.Permits(1);
    CountDownLatch spinning = new CountDownLatch(1);
    CompletableFuture<Object> first = new CompletableFuture<>();
    AnswerSpin ofFirstWorker =
        new AnswerSpin(
            () -> {
              spinning.countDown();
              return 0L;
            },
            permits);
    Thread spinner = new Thread(() -> ofFirstWorker.spinBriefly(first));
    spinner.start();
    assertThat(spinning.await(5, TimeUnit.SECONDS)).isTrue();

    SteppingTicker other = new SteppingTicker(AnswerSpin.LIMIT_NANOS);
    AnswerSpin ofSecondWorker = new AnswerSpin(other, permits);
    ofSecondWorker.spinBriefly(new CompletableFuture<>());
    assertThat(other.takeReadings()).as("no permit while the first spins").isZero();

    first.complete("answer");
    spinner.join(5_000);
    assertThat(spinner.isAlive()).isFalse();
    ofSecondWorker.spinBriefly(CompletableFuture.completedFuture("at once"));
    assertThat(other.takeReadings()).as("the permit came back").isPositive();
  }
}
