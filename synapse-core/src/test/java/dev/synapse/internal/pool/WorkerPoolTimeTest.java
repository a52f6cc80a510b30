package dev.synapse.internal.pool;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.CallTimeoutException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.WorkerInfo;
import dev.synapse.testing.ManualScheduler;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.WorkerConfigs;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pool of real workers on a scheduler whose time the test moves: queue deadlines, the backoff
 * before a dead worker is replaced, and memory checks happen when their time has passed.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class WorkerPoolTimeTest {
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  private final ManualScheduler time = new ManualScheduler();

  private WorkerPool start(RestartPolicy policy, long recycleAboveResidentBytes) {
    return WorkerPool.start(
        WorkerConfigs.of(PLAIN_PYTHON, "pool", RestartPolicy.never()),
        new PoolSettings(1, 1, 0, recycleAboveResidentBytes, CHECK_INTERVAL, policy),
        time);
  }

  private static long pid(WorkerPool pool) throws Exception {
    return (Long) pool.submit(Request.invoke("pid", null), false).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aQueuedCallFailsWhenItsDeadlinePassesInTheQueue_withoutReachingAWorker() throws Exception {
    WorkerPool pool = start(RestartPolicy.never(), 0);
    try {
      PoolCall busy = pool.submit(Request.invoke("tagged", Map.of("pause", 600)), false);
      PoolCall queued =
          pool.submit(Request.invoke("pid", null).withTimeout(Duration.ofSeconds(5)), false);
      assertThat(time.pending()).containsExactly(Duration.ofSeconds(5));

      time.advance(Duration.ofMillis(4999));
      assertThat(queued).isNotDone();
      time.advance(Duration.ofMillis(1));

      assertThatThrownBy(() -> queued.get(0, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              CallTimeoutException.class, e -> assertThat(e.workerReplaced()).isFalse());
      assertThat(busy).isNotDone();
      busy.cancel(true);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void aDeadWorkerIsReplacedWhenTheBackoffHasPassed() throws Exception {
    Duration backoff = Duration.ofSeconds(20);
    WorkerPool pool = start(RestartPolicy.onCrash(3, Duration.ofMinutes(1), backoff, backoff), 0);
    try {
      long pid = pid(pool);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      time.awaitTimer(backoff);
      assertThat(pool.workers()).isEmpty();

      time.advance(backoff.minusNanos(1));
      assertThat(pool.workers()).isEmpty();
      time.advance(Duration.ofNanos(1));

      assertThat(pid(pool)).isNotEqualTo(pid);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void aWorkerAboveTheMemoryLimitIsRecycledAtTheNextCheck() throws Exception {
    WorkerPool pool = start(RestartPolicy.never(), 1);
    try {
      long pid = pid(pool);
      assertThat(time.pending()).containsExactly(CHECK_INTERVAL);
      assertThat(pool.workers()).extracting(WorkerInfo::pid).containsExactly(pid);

      time.advance(CHECK_INTERVAL);

      assertThat(pid(pool)).isNotEqualTo(pid);
      assertThat(time.pending()).containsExactly(CHECK_INTERVAL); // the next check
    } finally {
      pool.dispose();
    }
  }
}
