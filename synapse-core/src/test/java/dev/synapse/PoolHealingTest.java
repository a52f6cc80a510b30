package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Workers of a pool that die: their calls fail clearly or are retried, and the pool heals. */
@ExtendWith(NoLeaks.class)
@Timeout(90)
class PoolHealingTest {
  private static final int THREADS = 4;
  private static final int CALLS = 150;

  @TempDir Path temp;

  private final RecordingListener listener = new RecordingListener();

  private SynapsePool.Builder pool(int size) {
    return Fixtures.pool(PLAIN_PYTHON).listener(listener).size(size);
  }

  private static Set<Long> pids(SynapsePool pool) {
    return pool.workers().stream().map(WorkerInfo::pid).collect(Collectors.toSet());
  }

  private static void kill(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** What the hammering threads saw. */
  private record Outcome(int answered, int failed, long killed) {}

  /**
   * {@value #THREADS} threads make {@value #CALLS} calls each, every one with its own payload; once
   * 100 calls are answered, one worker is killed with SIGKILL. Every call must end with its own
   * answer or a {@link WorkerExitedException}, and none may hang.
   */
  private static Outcome hammerAndKill(SynapsePool pool, int retries) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch hundred = new CountDownLatch(100);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(
            threads.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < CALLS; i++) {
                    Map<String, Object> payload = Map.of("thread", thread, "i", i, "pause", 0.002);
                    Request request = Request.invoke("tagged", payload).withRetries(retries);
                    try {
                      Object answer =
                          i % 2 == 0
                              ? pool.execute(request)
                              : pool.executeAsync(request).get(30, TimeUnit.SECONDS);
                      assertThat(((List<?>) answer).get(0))
                          .isEqualTo(
                              Map.of("thread", (long) thread, "i", (long) i, "pause", 0.002));
                      answered.incrementAndGet();
                      hundred.countDown();
                    } catch (WorkerExitedException e) {
                      assertThat(e).hasMessageContaining("of the pool ended before it answered");
                      failed.incrementAndGet();
                    } catch (java.util.concurrent.ExecutionException e) {
                      assertThat(e.getCause()).isInstanceOf(WorkerExitedException.class);
                      failed.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      assertThat(hundred.await(30, TimeUnit.SECONDS)).isTrue();
      long victim = pool.workers().get(0).pid();
      kill(victim);
      for (Future<?> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
      return new Outcome(answered.get(), failed.get(), victim);
    } finally {
      threads.shutdownNow();
    }
  }

  private static void awaitHealed(SynapsePool pool, long killed) {
    Awaitility.await("the pool is back to " + pool.size() + " workers")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> pool.workers().size() == pool.size() && !pids(pool).contains(killed));
  }

  @Test
  void workerKilledMidLoad_eachCallGetsItsOwnAnswerOrWorkerExited_andThePoolHeals()
      throws Exception {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");

      Outcome outcome = hammerAndKill(pool, 0);

      assertThat(outcome.answered() + outcome.failed()).isEqualTo(THREADS * CALLS);
      assertThat(outcome.failed())
          .as(
              "calls in flight on the killed worker: at least one, at most one per calling thread, since the pool sends"
                  + " nothing more to a worker once a call failed there")
          .isBetween(1, THREADS);
      awaitHealed(pool, outcome.killed());
      Set<Long> healed = pids(pool);
      for (int i = 0; i < 20; i++) {
        List<?> answer = (List<?>) pool.invoke("tagged", i);
        assertThat(answer.get(0)).isEqualTo((long) i);
        assertThat(healed).contains((Long) answer.get(1));
      }
      assertThat(listener.events)
          .anyMatch(e -> e.startsWith("restarting 1: worker " + outcome.killed() + " ended"));
    }
  }

  @Test
  void workerKilledMidLoad_withRetries_noCallFails() throws Exception {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");

      Outcome outcome = hammerAndKill(pool, 3);

      assertThat(outcome.failed()).isZero();
      assertThat(outcome.answered()).isEqualTo(THREADS * CALLS);
      awaitHealed(pool, outcome.killed());
    }
  }

  @Test
  void workerThatDiesWhileIdle_isReplaced_andNoCallFails() {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");
      long victim = pool.workers().get(1).pid();

      kill(victim);
      awaitHealed(pool, victim);

      Set<Object> seen = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 20; i++) {
        seen.add(pool.invoke("pid", null));
      }
      assertThat(seen).doesNotContain(victim).isSubsetOf(new ArrayList<Object>(pids(pool)));
    }
  }

  @Test
  void workerThatKillsItself_failsOnlyItsOwnCall() {
    try (SynapsePool pool = pool(2).build()) {
      pool.spawn(module("pool"), "main");
      assertThatThrownBy(() -> pool.invoke("kill_self", null))
          .isInstanceOfSatisfying(
              WorkerExitedException.class, e -> assertThat(e.exitCode()).isNotZero())
          .hasMessageContaining("the pool replaces it");
      assertThat(pool.invoke("pid", null)).isInstanceOf(Long.class);
    }
  }

  @Test
  void restartPolicyNever_thePoolShrinks_andFailsClearlyWhenEmpty() {
    try (SynapsePool pool = pool(2).restartPolicy(RestartPolicy.never()).build()) {
      pool.spawn(module("pool"), "main");
      List<Long> pids = pool.workers().stream().map(WorkerInfo::pid).toList();

      kill(pids.get(0));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.workers().size() == 1);
      assertThat(pool.invoke("pid", null)).isEqualTo(pids.get(1));
      assertThat(pool.isRunning()).isTrue();

      kill(pids.get(1));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !pool.isRunning());
      assertThatThrownBy(() -> pool.invoke("pid", null))
          .isInstanceOf(WorkerExitedException.class)
          .hasMessageContaining("No worker of the pool is running")
          .hasMessageContaining("call spawn()");

      pool.spawn(module("pool"), "main");
      assertThat(pool.workers()).hasSize(2);
      assertThat(pool.invoke("pid", null)).isNotIn(pids.get(0), pids.get(1));
    }
  }

  @Test
  void oneWorkerFailsToStart_theSpawnFailsAndTheOthersAreEnded() {
    SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON)
            .environment("POOL_MARKER", temp.resolve("marker").toString())
            .size(3)
            .build();
    assertThatThrownBy(() -> pool.spawn(module("pool_one_fails"), "main"))
        .isInstanceOfSatisfying(SpawnException.class, e -> assertThat(e.exitCode()).hasValue(3))
        .hasMessageContaining("this worker fails on purpose");
    assertThat(pool.isRunning()).isFalse();
    assertThatThrownBy(() -> pool.invoke("pid", null)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void moduleThatCannotStart_isASpawnException() {
    try (SynapsePool pool = pool(2).build()) {
      assertThatThrownBy(() -> pool.spawn(module("import_error"), "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining("a_module_that_does_not_exist");
      assertThatThrownBy(() -> pool.spawn(temp.resolve("missing"), "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining(temp.resolve("missing").toString());
    }
  }

  @Test
  void dispose_whileAReplacementStarts_endsItAtOnce() throws IOException {
    Path marker = temp.resolve("slow");
    try (SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON)
            .listener(listener)
            .environment("POOL_SLOW_MARKER", marker.toString())
            .size(2)
            .build()) {
      pool.spawn(module("pool"), "main");
      Files.writeString(marker, "the next workers take a minute to start");
      long victim = pool.workers().get(0).pid();
      kill(victim);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> listener.events.stream().anyMatch(e -> e.startsWith("restarting")));
      Awaitility.await("the replacement's process runs")
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  NoLeaks.pythonDescendants().stream()
                          .filter(p -> p.contains("python/pool/main.py"))
                          .count()
                      == 2);

      long start = System.nanoTime();
      pool.dispose();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000);
    }
  }
}
