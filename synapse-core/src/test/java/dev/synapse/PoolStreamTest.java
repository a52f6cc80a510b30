package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Streams of a pool: they stay on one worker, and recycling waits for them. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class PoolStreamTest {
  @Test
  void aPoolStreams_andTheStreamCountsAsACallOfItsWorker() throws Exception {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("streams"), "main");

      assertThat(pool.stream("count", 5, Long.class).toList()).containsExactly(0L, 1L, 2L, 3L, 4L);

      CompletableFuture<Object> waiting;
      try (Stream<Object> open = pool.stream("forever", "held")) {
        Iterator<Object> items = open.iterator();
        assertThat(items.next()).isEqualTo(0L);
        waiting = pool.invokeAsync("pid", null);
        assertThat(waiting).as("the open stream holds the worker's only slot").isNotDone();
      }
      assertThat(waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(Long.class);
    }
  }

  @Test
  void aWorkerDueForRecycling_finishesItsStreamFirst() throws Exception {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(1).recycleAfterCalls(2).build()) {
      pool.spawn(module("streams"), "main");
      long first = pool.workers().get(0).pid();

      try (Stream<Object> stream = pool.stream("count", 1000)) {
        Iterator<Object> items = stream.iterator();
        CompletableFuture<Object> pid = pool.invokeAsync("pid", null);
        List<Long> expected = LongStream.range(0, 1000).boxed().toList();
        for (Long value : expected) {
          assertThat(items.next()).isEqualTo(value);
        }
        assertThat(items.hasNext()).isFalse();
        assertThat(pid.get(10, TimeUnit.SECONDS)).isEqualTo(first);
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !pool.workers().isEmpty() && pool.workers().get(0).pid() != first);
    }
  }
}
