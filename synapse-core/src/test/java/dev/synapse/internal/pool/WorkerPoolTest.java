package dev.synapse.internal.pool;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.WorkerConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pool's engine on real workers: slots are given back, the queue keeps its order. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class WorkerPoolTest {
  private static WorkerPool start(int size, int maxInFlight) {
    return WorkerPool.start(
        WorkerConfigs.of(PLAIN_PYTHON, "pool", RestartPolicy.never()),
        new PoolSettings(size, maxInFlight, 0, 0, Duration.ofSeconds(1), RestartPolicy.never()));
  }

  @Test
  void everyPathThatTakesASlotGivesItBack() throws Exception {
    WorkerPool pool = start(1, 1);
    try {
      List<Object> cyclic = new ArrayList<>();
      cyclic.add(cyclic);
      for (int i = 0; i < 5; i++) {
        PoolCall bad = pool.submit(Request.invoke("tagged", cyclic), i % 2 == 0);
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(EncodingException.class);
        PoolCall cancelled = pool.submit(Request.invoke("tagged", Map.of("pause", 5)), false);
        cancelled.cancel(true);
      }

      PoolCall after = pool.submit(Request.invoke("pid", null), false);
      assertThat(after.get(10, TimeUnit.SECONDS)).isInstanceOf(Long.class);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void callsBeyondCapacityWaitAndAreServedInTheOrderTheyWereMade() throws Exception {
    WorkerPool pool = start(1, 1);
    try {
      List<PoolCall> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(pool.submit(Request.invoke("tagged", Map.of("i", i, "pause", 0.05)), true));
      }
      List<Long> order = new ArrayList<>();
      for (PoolCall call : calls) {
        Map<?, ?> payload = (Map<?, ?>) ((List<?>) call.get(10, TimeUnit.SECONDS)).get(0);
        order.add((Long) payload.get("i"));
      }
      assertThat(order).containsExactly(0L, 1L, 2L, 3L, 4L);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void dispose_failsQueuedCalls_andIsIdempotent() {
    WorkerPool pool = start(1, 1);
    PoolCall running = pool.submit(Request.invoke("tagged", Map.of("pause", 5)), false);
    PoolCall queued = pool.submit(Request.invoke("tagged", Map.of("pause", 5)), false);

    pool.dispose();
    pool.dispose();

    assertThat(running).isCompletedExceptionally();
    assertThat(queued).isCompletedExceptionally();
    assertThat(pool.isRunning()).isFalse();
    assertThatThrownBy(() -> pool.submit(Request.invoke("pid", null), false))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPoolCallLetsItsCallerSpin_asTheWorkersCallItWasSentAsDoes() throws Exception {
    WorkerPool pool = start(1, 2);
    try {
      PoolCall alone = pool.submit(Request.invoke("tagged", Map.of("pause", 0.3)), false);
      PoolCall behind = pool.submit(Request.invoke("tagged", Map.of("i", 2)), false);

      assertThat(alone.answerSpin()).isNotNull();
      assertThat(behind.answerSpin()).isNull();
      behind.get(10, TimeUnit.SECONDS);
    } finally {
      pool.dispose();
    }
  }
}
