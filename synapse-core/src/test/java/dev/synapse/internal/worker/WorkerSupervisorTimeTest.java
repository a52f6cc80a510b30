package dev.synapse.internal.worker;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.CallTimeoutException;
import dev.synapse.RestartPolicy;
import dev.synapse.testing.ManualScheduler;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.WorkerConfigs;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A supervisor and its real worker on a scheduler whose time the test moves: call timeouts, cancel
 * graces and restart backoffs happen exactly when their time has passed, and not before.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class WorkerSupervisorTimeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final ManualScheduler time = new ManualScheduler();

  private WorkerSupervisor start(RestartPolicy policy) {
    return WorkerSupervisor.start(WorkerConfigs.of(PLAIN_PYTHON, "stuck", policy), time);
  }

  /** The pid of the worker that answers the next call, waiting for one if it is being started. */
  private static long pid(WorkerSupervisor supervisor) throws Exception {
    return (Long) supervisor.submit("pid", null, null, null, false).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aCallTimesOutWhenItsTimeoutHasPassed_andAWorkerThatEndsItInItsGraceIsKept()
      throws Exception {
    WorkerSupervisor supervisor = start(RestartPolicy.never());
    try {
      long pid = pid(supervisor);
      PendingCall call = supervisor.submit("sleep_forever", null, TIMEOUT, GRACE, false);

      time.advance(TIMEOUT.minusNanos(1));
      assertThat(call).isNotDone();
      time.advance(Duration.ofNanos(1));

      assertThatThrownBy(() -> call.get(0, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              CallTimeoutException.class, e -> assertThat(e.workerReplaced()).isFalse());
      // The worker ends the cancelled call before it answers the next one: same process, and the
      // grace timer was stopped by that final frame.
      assertThat(pid(supervisor)).isEqualTo(pid);
      assertThat(time.pending()).isEmpty();
    } finally {
      supervisor.dispose();
    }
  }

  /** An input whose encoding takes the call's whole timeout: the time moves while it is read. */
  public static final class SlowToEncode {
    private final ManualScheduler time;

    SlowToEncode(ManualScheduler time) {
      this.time = time;
    }

    public int getValue() {
      time.advance(TIMEOUT);
      return 1;
    }
  }

  @Test
  void aCallThatTimesOutOnItsWayToTheWorker_neverRunsThere() throws Exception {
    WorkerSupervisor supervisor = start(RestartPolicy.never());
    try {
      long pid = pid(supervisor);
      PendingCall call =
          supervisor.submit("count_me", new SlowToEncode(time), TIMEOUT, GRACE, false);

      assertThatThrownBy(() -> call.get(0, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(CallTimeoutException.class);
      // Answered in order: had the call been sent, the worker would have run it first.
      assertThat(supervisor.submit("counted", null, null, null, false).get(30, TimeUnit.SECONDS))
          .isEqualTo(0L);
      assertThat(pid(supervisor)).isEqualTo(pid);
      assertThat(time.pending()).isEmpty();
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aHandlerThatDoesNotEndWithinTheGrace_isReplacedWhenTheGraceHasPassed() throws Exception {
    WorkerSupervisor supervisor = start(RestartPolicy.never());
    try {
      long pid = pid(supervisor);
      PendingCall call = supervisor.submit("c_sleep", 600, TIMEOUT, GRACE, false);

      time.advance(TIMEOUT);
      assertThat(call).isCompletedExceptionally();
      time.awaitTimer(GRACE); // set by the timeout, on the thread that moved the time
      time.advance(GRACE.minusNanos(1));
      assertThat(supervisor.workerInfo().orElseThrow().pid()).isEqualTo(pid);

      time.advance(Duration.ofNanos(1));
      time.awaitTimer(Duration.ZERO); // the replacement, without a backoff
      time.advance(Duration.ZERO);

      assertThat(pid(supervisor)).isNotEqualTo(pid);
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aCrashedWorkerIsRestartedWhenTheBackoffHasPassed_andCallsMadeMeanwhileWaitForIt()
      throws Exception {
    Duration backoff = Duration.ofSeconds(10);
    WorkerSupervisor supervisor =
        start(RestartPolicy.onCrash(3, Duration.ofMinutes(1), backoff, backoff));
    try {
      long pid = pid(supervisor);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      time.awaitTimer(backoff);
      PendingCall waiting = supervisor.submit("pid", null, null, null, false);

      time.advance(backoff.minusNanos(1));
      assertThat(supervisor.isRunning()).isTrue();
      assertThat(supervisor.workerInfo()).isEmpty();
      assertThat(waiting).isNotDone();
      time.advance(Duration.ofNanos(1));

      assertThat((Long) waiting.get(30, TimeUnit.SECONDS)).isNotEqualTo(pid);
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aStreamsWaitForItsNextItem_endsWhenItsTimeoutHasPassed() throws Exception {
    WorkerSupervisor supervisor = start(RestartPolicy.never());
    try (Stream<Object> stream = supervisor.stream("one_then_sleep", null, TIMEOUT, GRACE)) {
      Iterator<Object> items = stream.iterator();
      assertThat(items.next()).isEqualTo(1L);
      CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(items::hasNext);
      time.awaitTimer(TIMEOUT); // the consumer waits for the second item, with its alarm set
      time.advance(TIMEOUT.minusNanos(1));
      assertThat(second).isNotDone();

      time.advance(Duration.ofNanos(1));

      assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(CallTimeoutException.class);
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aStreamWhoseItemsHaveArrived_setsNoAlarmForThem() throws Exception {
    WorkerSupervisor supervisor =
        WorkerSupervisor.start(
            WorkerConfigs.of(PLAIN_PYTHON, "streams", RestartPolicy.never()), time);
    try {
      WorkerSupervisor.OpenStream stream = supervisor.openStream("count", 5, TIMEOUT, GRACE);
      stream.over().get(30, TimeUnit.SECONDS); // every item waits in the queue
      long timersBefore = time.timersSet();

      try (Stream<Object> items = stream.items()) {
        // Exactly the five items: asking for a sixth may wait for the END's last step.
        Iterator<Object> taken = items.iterator();
        for (long i = 0; i < 5; i++) {
          assertThat(taken.next()).isEqualTo(i);
        }
        assertThat(time.timersSet()).isEqualTo(timersBefore);
      }
    } finally {
      supervisor.dispose();
    }
  }
}
