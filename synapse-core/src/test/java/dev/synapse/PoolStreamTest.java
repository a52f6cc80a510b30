package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams of a pool: they stay on one worker, recycling waits for them, and they wait for a worker
 * while the pool has none.
 */
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

  @Test
  void aStreamOpenedWhileTheOnlyWorkerIsReplaced_waitsForTheNewOne(@TempDir Path dir)
      throws Exception {
    Path gate = dir.resolve("gate");
    try (SynapsePool pool = gatedPool(gate)) {
      replaceTheOnlyWorker(pool, dir);

      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread opener =
          startWaitingOpener(
              () -> {
                try {
                  outcome.set(pool.stream("count", 3, Long.class).toList());
                } catch (RuntimeException e) {
                  outcome.set(e);
                }
              });
      assertThat(outcome.get()).isNull();

      Files.createFile(gate);
      opener.join(30_000);
      assertThat(outcome.get()).isEqualTo(List.of(0L, 1L, 2L));
    }
  }

  @Test
  void aStreamThatFindsNoWorkerWithinItsTimeout_timesOut_andThePoolGoesOn(@TempDir Path dir)
      throws Exception {
    Path gate = dir.resolve("gate");
    try (SynapsePool pool = gatedPool(gate)) {
      replaceTheOnlyWorker(pool, dir);

      assertThatThrownBy(
              () -> pool.stream(Request.invoke("count", 3).withTimeout(Duration.ofMillis(200))))
          .isInstanceOf(CallTimeoutException.class);

      Files.createFile(gate);
      assertThat(pool.stream("count", 2, Long.class).toList()).containsExactly(0L, 1L);
    }
  }

  @Test
  void aStreamWaitingForAWorker_givesUpWhenItsThreadIsInterrupted(@TempDir Path dir)
      throws Exception {
    try (SynapsePool pool = gatedPool(dir.resolve("gate"))) {
      replaceTheOnlyWorker(pool, dir);
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread opener =
          startWaitingOpener(
              () -> {
                try {
                  pool.stream("count", 3).close();
                } catch (RuntimeException e) {
                  thrown.set(e);
                  stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
              });

      opener.interrupt();
      opener.join(10_000);

      assertThat(thrown.get())
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("Interrupted while waiting for a worker");
      assertThat(stillInterrupted.get()).isTrue();
    }
  }

  /** Starts a thread that opens a stream; returns once it waits for a worker of the pool. */
  private static Thread startWaitingOpener(Runnable open) {
    Thread opener = new Thread(open);
    opener.start();
    Awaitility.await("the stream waits for a worker")
        .atMost(Duration.ofSeconds(10))
        .until(() -> opener.getState() == Thread.State.WAITING);
    return opener;
  }

  private static SynapsePool gatedPool(Path gate) {
    SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON)
            .size(1)
            .environment("SYNAPSE_TEST_GATE", gate.toString())
            .build();
    pool.spawn(module("gated_restart"), "main");
    return pool;
  }

  /** Kills the pool's worker; returns once its replacement is held at the gate (none is live). */
  private static void replaceTheOnlyWorker(SynapsePool pool, Path dir) {
    long first = pool.workers().get(0).pid();
    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    Awaitility.await("the replacement waits at the gate")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(dir.resolve("gate.waiting")));
  }
}
