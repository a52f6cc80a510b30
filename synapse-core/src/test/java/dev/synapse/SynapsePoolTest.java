package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of workers: spawn, dispatch, the in-flight limit and its queue, timeouts, cancel, dispose.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class SynapsePoolTest {
  private static SynapsePool.Builder pool(int size) {
    return Fixtures.pool(PLAIN_PYTHON).size(size);
  }

  private static Set<Long> pids(SynapsePool pool) {
    Set<Long> pids = new HashSet<>();
    pool.workers().forEach(info -> pids.add(info.pid()));
    return pids;
  }

  @Test
  void builder_rejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> SynapsePool.builder().size(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size cannot be less than 1, was 0");
    assertThatThrownBy(() -> SynapsePool.builder().maxInFlightPerWorker(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlightPerWorker cannot be less than 1, was 0");
    assertThatThrownBy(() -> SynapsePool.builder().recycleAfterCalls(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recycleAfterCalls cannot be negative, was -1");
    assertThatThrownBy(() -> SynapsePool.builder().recycleAboveResidentMemory(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recycleAboveResidentMemory cannot be negative, was -5");
    assertThatThrownBy(() -> SynapsePool.builder().restartPolicy(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Request.call(1).withRetries(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retries cannot be negative, was -1");
  }

  @Test
  void defaultSize_isTheNumberOfProcessors() {
    assertThat(SynapsePool.builder().build().size())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void beforeSpawnAndAfterDispose_callsAreIllegal() {
    SynapsePool pool = pool(2).build();
    assertThatThrownBy(() -> pool.invoke("pid", null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot send inputs to the pool before spawning it.");
    assertThat(pool.workers()).isEmpty();
    assertThat(pool.isRunning()).isFalse();

    pool.spawn(module("pool"), "main");
    assertThat(pool.isRunning()).isTrue();
    pool.dispose();
    pool.dispose();

    assertThatThrownBy(() -> pool.invokeAsync("pid", null))
        .isInstanceOf(IllegalStateException.class);
    assertThat(pool.isRunning()).isFalse();
    assertThat(pool.workers()).isEmpty();
  }

  @Test
  @SuppressWarnings("deprecation")
  void theDeprecatedBuilderForm_refusesARestartPolicy_andCopiesTheWorkerSettings() {
    assertThatThrownBy(
            () -> SynapsePool.builder(Synapse.builder().restartPolicy(RestartPolicy.onCrash())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SynapsePool.Builder.restartPolicy");
    Synapse.Builder workers = Fixtures.builder(PLAIN_PYTHON);
    try (SynapsePool pool = SynapsePool.builder(workers).size(1).build()) {
      workers.python("no-such-python"); // copied already: the pool does not see it
      pool.spawn(module("pool"), "main");
      assertThat(pool.invoke("pid", null)).isInstanceOf(Long.class);
    }
  }

  @Test
  void spawn_startsTheWorkersInParallel_andAnswersLikeASynapse(@TempDir Path started) {
    // Each worker becomes ready only once all three have started: a spawn that started them one
    // after another would never see the first one ready, and fail at its startup timeout.
    SynapsePool.Builder barrier =
        pool(3)
            .environment("POOL_START_BARRIER", started + ":3")
            .startupTimeout(Duration.ofSeconds(45));
    try (SynapsePool pool = barrier.build()) {
      pool.spawn(module("pool").toString(), "main.py");

      assertThat(started.toFile().list()).hasSize(3);
      assertThat(pool.size()).isEqualTo(3);
      assertThat(pool.workers()).hasSize(3);
      assertThat(pids(pool)).hasSize(3);
      assertThat(pool.workers().get(0).functions()).contains("tagged", "pid");

      Long pid = pool.invoke("pid", null, Long.class);
      assertThat(pids(pool)).contains(pid);
      List<?> tagged = (List<?>) pool.execute(Request.invoke("tagged", List.of(1, "two")));
      assertThat(tagged.get(0)).isEqualTo(List.of(1L, "two"));
      assertThat(pids(pool)).contains((Long) tagged.get(1));
      assertThat(pool.invoke("spin", 1000, Integer.class)).isEqualTo(332_833_500);
      assertThatThrownBy(() -> pool.invoke("no_such_function", null))
          .isInstanceOf(PythonException.class);
      assertThat(pool.invoke("pid", null)).isInstanceOf(Long.class);
    }
  }

  @Test
  void spawn_isANoOpWhileThePoolRuns() {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");
      Set<Long> before = pids(pool);
      pool.spawn(module("pool"), "main");
      assertThat(pids(pool)).isEqualTo(before);
    }
  }

  @Test
  void nextCall_goesToTheIdleWorker() throws Exception {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");
      CompletableFuture<Object> slow = pool.invokeAsync("sleep_pid", 1.0);

      Set<Object> quick = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        quick.add(pool.invoke("pid", null));
      }
      Object slowPid = slow.get(10, TimeUnit.SECONDS);

      assertThat(quick).hasSize(1).doesNotContain(slowPid);
      assertThat(pids(pool)).contains((Long) slowPid, (Long) quick.iterator().next());
    }
  }

  @Test
  void inFlightLimit_isRespected_andTheRestWaitsInOrder() throws Exception {
    try (SynapsePool pool = pool(2).maxInFlightPerWorker(2).build()) {
      pool.spawn(module("pool"), "main");
      long start = System.nanoTime();
      List<CompletableFuture<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(pool.invokeAsync("concurrent", 0.3));
      }
      Set<Object> pids = new HashSet<>();
      long most = 0;
      for (CompletableFuture<Object> call : calls) {
        List<?> answer = (List<?>) call.get(10, TimeUnit.SECONDS);
        pids.add(answer.get(0));
        most = Math.max(most, (Long) answer.get(1));
      }
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(most).as("calls running at once in one worker").isEqualTo(2);
      assertThat(pids).hasSize(2);
      assertThat(millis)
          .as("12 calls of 0.3 s, 4 at a time: three rounds")
          .isGreaterThanOrEqualTo(850);
    }
  }

  @Test
  void queuedCall_timesOutWithItsOwnTimeout_andTheOthersGoOn() throws Exception {
    try (SynapsePool pool = pool(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("pool"), "main");
      long worker = pool.workers().get(0).pid();
      CompletableFuture<Object> busy = pool.invokeAsync("sleep_pid", 600);
      CompletableFuture<Object> patient = pool.invokeAsync("pid", null);

      assertThatThrownBy(
              () -> pool.execute(Request.invoke("pid", null).withTimeout(Duration.ofMillis(200))))
          .isInstanceOfSatisfying(
              CallTimeoutException.class,
              e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200)));

      assertThat(busy).isNotDone();
      assertThat(patient).isNotDone();
      busy.cancel(true);
      assertThat(patient.get(60, TimeUnit.SECONDS)).isEqualTo(worker);
    }
  }

  @Test
  void callTimeout_countsTheTimeSpentInTheQueue() {
    try (SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON)
            .callTimeout(Duration.ofMillis(700))
            .size(1)
            .maxInFlightPerWorker(1)
            .build()) {
      pool.spawn(module("pool"), "main");
      CompletableFuture<Object> first = pool.invokeAsync("sleep_pid", 0.5);
      long start = System.nanoTime();
      // Waits about 0.5 s in the queue, then has about 0.2 s left for a call of 0.4 s.
      assertThatThrownBy(() -> pool.invoke("sleep_pid", 0.4))
          .isInstanceOfSatisfying(
              CallTimeoutException.class,
              e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(700)));
      // The deadline counts from the call: never earlier (the upper end depends on the load).
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(700L);
      assertThat(first).succeedsWithin(Duration.ofSeconds(5));
    }
  }

  @Test
  void cancel_takesAQueuedCallOut_andCancelsACallInFlight() throws Exception {
    try (SynapsePool pool = pool(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("pool"), "main");
      CompletableFuture<Object> running = pool.invokeAsync("concurrent", 30);
      CompletableFuture<Object> queued = pool.invokeAsync("pid", null);

      assertThat(queued.cancel(true)).isTrue();
      assertThat(running.cancel(true)).isTrue();
      assertThatThrownBy(() -> running.get()).isInstanceOf(CancellationException.class);

      long start = System.nanoTime();
      assertThat(pool.invoke("pid", null)).isEqualTo(pool.workers().get(0).pid());
      assertThat((System.nanoTime() - start) / 1_000_000)
          .as("the cancelled call of 30 s freed the worker")
          .isLessThan(20_000);
    }
  }

  @Test
  void asyncCalls_completeOnTheCallbackExecutor() throws Exception {
    ExecutorService callbacks =
        Executors.newSingleThreadExecutor(task -> new Thread(task, "test-callbacks"));
    try (SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON).callbackExecutor(callbacks).size(2).build()) {
      pool.spawn(module("pool"), "main");
      AtomicReference<String> thread = new AtomicReference<>();
      CompletableFuture<Object> call =
          pool.invokeAsync("sleep_pid", 0.3)
              .whenComplete((v, e) -> thread.set(Thread.currentThread().getName()));
      call.get(10, TimeUnit.SECONDS);
      assertThat(thread.get()).isEqualTo("test-callbacks");

      CompletableFuture<Object> failed = pool.invokeAsync("no_such_function", null);
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(PythonException.class);
    } finally {
      callbacks.shutdownNow();
    }
  }

  @Test
  void dispose_endsEveryWorkerAtOnce_andFailsWhatWaits() throws Exception {
    Duration grace = Duration.ofSeconds(5);
    int size = 4;
    SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON).shutdownGrace(grace).size(size).maxInFlightPerWorker(1).build();
    pool.spawn(module("pool"), "main");
    List<CompletableFuture<Object>> running = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      // Sent before invokeAsync returns (a worker has room); the worker may read it after dispose
      // closed its stdin, and runs it then all the same: every worker needs its whole grace.
      running.add(pool.invokeAsync("sleep_pid", 30));
    }
    CompletableFuture<Object> queued = pool.invokeAsync("pid", null);

    long start = System.nanoTime();
    pool.dispose();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took)
        .as("%d workers, each given %s to exit: in parallel, not one after another", size, grace)
        .isLessThan(grace.multipliedBy(size).dividedBy(2))
        .isGreaterThanOrEqualTo(grace);
    assertThat(NoLeaks.pythonDescendants()).isEmpty();
    for (CompletableFuture<Object> call : running) {
      assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(InstanceDisposedException.class)
          .hasMessageContaining("The pool was disposed before the worker answered");
    }
    assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(InstanceDisposedException.class)
        .hasMessageContaining("The pool was disposed before the call was sent");
  }
}
