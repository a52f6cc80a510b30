package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workers replaced on purpose, after a number of calls or above a memory limit, without failing a
 * call.
 */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class PoolRecyclingTest {
  private final RecordingListener listener = new RecordingListener();

  private SynapsePool.Builder pool(int size) {
    return Fixtures.pool(PLAIN_PYTHON).listener(listener).size(size);
  }

  @Test
  void recycleAfterCalls_replacesWorkersUnderLoad_withoutFailingACall() throws Exception {
    int threads = 4;
    int calls = 30;
    try (SynapsePool pool = pool(2).recycleAfterCalls(20).build()) {
      pool.spawn(module("pool"), "main");
      Set<Object> pids = ConcurrentHashMap.newKeySet();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService executor = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          results.add(
              executor.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < calls; i++) {
                      Map<String, Object> payload = Map.of("thread", thread, "i", i, "pause", 0.03);
                      List<?> answer = (List<?>) pool.invoke("tagged", payload);
                      assertThat(answer.get(0))
                          .isEqualTo(Map.of("thread", (long) thread, "i", (long) i, "pause", 0.03));
                      pids.add(answer.get(1));
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> result : results) {
          result.get(60, TimeUnit.SECONDS);
        }
      } finally {
        executor.shutdownNow();
      }

      // One of the two was given at least 60 calls, so at least one was recycled. A member due
      // keeps serving until the recycle before it is done (one at a time in a pool of two), so the
      // workers running now may all have answered calls: wait until every recycle's successor has
      // started.
      Awaitility.await("every recycled worker's successor has started")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  pool.workers().size() == 2
                      && count(listener.events, "started ")
                          == 2 + count(listener.events, "recycling worker"));
      pool.workers().forEach(w -> pids.add(w.pid()));
      assertThat(count(listener.events, "recycling worker")).isPositive();
      assertThat(pids.size())
          .as("workers that answered 120 calls of 30 ms, each recycled after 20, and those now")
          .isEqualTo(2 + count(listener.events, "recycling worker"));
      assertThat(listener.events)
          .anyMatch(e -> e.contains("recycling worker") && e.contains("given 20 calls"));
      assertThat(listener.events).noneMatch(e -> e.contains("unexpected"));
    }
  }

  @Test
  void recycleAboveResidentMemory_replacesTheWorkerThatGrew() {
    try (SynapsePool pool =
        pool(2).maxInFlightPerWorker(1).recycleAboveResidentMemory(100L * 1024 * 1024).build()) {
      pool.spawn(module("pool"), "main");
      Object grown = pool.invoke("hold_memory", 150);

      Awaitility.await("the worker holding 150 MiB is recycled")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  pool.workers().size() == 2
                      && pool.workers().stream().noneMatch(w -> w.pid() == (Long) grown));
      for (int i = 0; i < 10; i++) {
        assertThat(pool.invoke("pid", null)).isNotEqualTo(grown);
      }
      assertThat(listener.events)
          .anyMatch(
              e ->
                  e.startsWith("restarting 1: recycling worker " + grown)
                      && e.contains("resident memory"));
      assertThat(listener.events).noneMatch(e -> e.contains("unexpected"));
    }
  }

  @Test
  void recyclingTheOnlyWorker_callsWaitForItsReplacement() throws Exception {
    try (SynapsePool pool = pool(1).recycleAfterCalls(3).build()) {
      pool.spawn(module("pool"), "main");
      List<Object> pids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pids.add(pool.invokeAsync("pid", null).get(20, TimeUnit.SECONDS));
      }
      assertThat(Set.copyOf(pids)).hasSize(4);
    }
  }

  private static long count(List<String> events, String text) {
    return events.stream().filter(e -> e.contains(text)).count();
  }
}
