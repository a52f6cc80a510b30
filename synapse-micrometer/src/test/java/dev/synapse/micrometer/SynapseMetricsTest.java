package dev.synapse.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.CallTimeoutException;
import dev.synapse.PythonException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.Synapse;
import dev.synapse.SynapseCalls;
import dev.synapse.SynapsePool;
import dev.synapse.WorkerInfo;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The meters after real calls, errors, a restart and a recycle of real workers. */
@Timeout(90)
class SynapseMetricsTest {
  private static final String PYTHON = "python3";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path root;
  private Path module;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SynapseMetrics metrics = new SynapseMetrics(registry, Tags.of("service", "test"));

  @BeforeEach
  void writeModule() throws IOException {
    module = Files.createDirectories(root.resolve("scoring"));
    Files.writeString(
        module.resolve("main.py"),
        String.join(
            "\n",
            "import os, time, pysynapse",
            "def echo(p): return p",
            "def fail(p): raise ValueError('bad input')",
            "def pid(_): return os.getpid()",
            "def sleep(s):",
            "    time.sleep(s)",
            "    return s",
            "def count(n): yield from range(n)",
            "def broken(n):",
            "    yield n",
            "    raise ValueError('broken stream')",
            "pysynapse.serve({'echo': echo, 'fail': fail, 'pid': pid, 'sleep': sleep,",
            "                 'count': count, 'broken': broken})",
            ""));
  }

  private Synapse.Builder synapse() {
    return Synapse.builder().python(PYTHON).useInterpreterAsIs(true).listener(metrics);
  }

  private SynapsePool.Builder pool() {
    return SynapsePool.builder().python(PYTHON).useInterpreterAsIs(true).listener(metrics);
  }

  private double count(String name, String... tags) {
    return registry.find(name).tags(tags).meters().stream()
        .mapToDouble(SynapseMetricsTest::countOf)
        .sum();
  }

  private static double countOf(Meter meter) {
    if (meter instanceof Timer timer) {
      return timer.count();
    }
    return meter.measure().iterator().next().getValue();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  private void awaitCount(double expected, String name, String... tags) {
    Awaitility.await(name + " " + List.of(tags))
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(count(name, tags)).isEqualTo(expected));
  }

  @Test
  void calls_errors_andInFlight_arePerModuleAndDeclaredFunction() {
    try (Synapse synapse = synapse().build()) {
      synapse.spawn(module, "main");
      for (int i = 0; i < 3; i++) {
        assertThat(synapse.invoke("echo", i)).isEqualTo((long) i);
      }
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> synapse.invoke("fail", null)).isInstanceOf(PythonException.class);
      }
      assertThatThrownBy(() -> synapse.invoke("no such " + System.nanoTime(), null))
          .isInstanceOf(PythonException.class);
      assertThatThrownBy(
              () -> synapse.execute(Request.invoke("sleep", 5).withTimeout(Duration.ofMillis(200))))
          .isInstanceOf(CallTimeoutException.class);

      awaitCount(3, "synapse.calls", "module", "main", "function", "echo", "outcome", "success");
      awaitCount(2, "synapse.calls", "function", "fail", "outcome", "python_error");
      awaitCount(2, "synapse.calls.errors", "function", "fail", "kind", "python_error");
      awaitCount(1, "synapse.calls.errors", "function", "other", "kind", "no_such_function");
      awaitCount(1, "synapse.calls.errors", "function", "sleep", "kind", "timeout");
      assertThat(
              registry
                  .get("synapse.calls")
                  .tags("function", "echo")
                  .timer()
                  .max(TimeUnit.NANOSECONDS))
          .isPositive();
      assertThat(registry.get("synapse.calls").tag("service", "test").meters()).isNotEmpty();
      // function tags come only from the names the module declared
      assertThat(
              registry.getMeters().stream()
                  .map(m -> m.getId().getTag("function"))
                  .filter(tag -> tag != null)
                  .distinct())
          .allMatch(List.of("echo", "fail", "sleep", "other")::contains);

      CompletableFuture<Object> slow = synapse.invokeAsync("sleep", 0.5);
      Awaitility.await()
          .atMost(WAIT)
          .until(() -> gauge("synapse.calls.in.flight", "function", "sleep") == 1.0);
      slow.join();
      Awaitility.await()
          .atMost(WAIT)
          .until(() -> gauge("synapse.calls.in.flight", "function", "sleep") == 0.0);

      assertThat(count("synapse.worker.startup", "module", "main")).isEqualTo(1);
      assertThat(count("synapse.spawn.phase", "phase", "ready")).isEqualTo(1);
      assertThat(gauge("synapse.workers", "module", "main")).isEqualTo(1);
      assertThat(gauge("synapse.worker.resident.memory", "module", "main"))
          .isGreaterThan(1024 * 1024);
    }
    Awaitility.await().atMost(WAIT).until(() -> gauge("synapse.workers", "module", "main") == 0.0);
  }

  @Test
  void streams_areCountedAsCalls_withTheirOutcome() {
    try (Synapse synapse = synapse().build();
        SynapsePool pool = pool().size(1).build()) {
      synapse.spawn(module, "main");
      pool.spawn(module, "main");

      for (SynapseCalls calls : List.<SynapseCalls>of(synapse, pool)) {
        try (var items = calls.stream(Request.invoke("count", 3))) {
          assertThat(items.toList()).containsExactly(0L, 1L, 2L);
        }
        assertThatThrownBy(
                () -> {
                  try (var items = calls.stream(Request.invoke("broken", 1))) {
                    items.toList();
                  }
                })
            .isInstanceOf(PythonException.class);
      }

      awaitCount(2, "synapse.calls", "function", "count", "outcome", "success");
      awaitCount(2, "synapse.calls", "function", "broken", "outcome", "python_error");
      awaitCount(2, "synapse.calls.errors", "function", "broken", "kind", "python_error");
      Awaitility.await()
          .atMost(WAIT)
          .until(() -> gauge("synapse.calls.in.flight", "function", "count") == 0.0);
    }
  }

  @Test
  void aWorkerKilled_countsARestart_andARecycleCountsARecycle() {
    try (SynapsePool pool = pool().size(1).recycleAfterCalls(3).build()) {
      pool.spawn(module, "main");
      long first = (Long) pool.invoke("pid", null);
      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      awaitCount(1, "synapse.worker.restarts", "module", "main");
      Awaitility.await().atMost(WAIT).until(() -> !pool.workers().isEmpty());

      long second = (Long) pool.invoke("pid", null);
      assertThat(second).isNotEqualTo(first);
      for (int i = 0; i < 3; i++) {
        pool.invoke("echo", i);
      }
      awaitCount(1, "synapse.worker.recycles", "module", "main");
      assertThat(count("synapse.worker.restarts", "module", "main")).isEqualTo(1);
      Awaitility.await().atMost(WAIT).until(() -> !pool.workers().isEmpty());
      long third = (Long) pool.invoke("pid", null);
      assertThat(third).isNotEqualTo(second);
      assertThat(count("synapse.calls.errors", "kind", "worker_exited")).isZero();
      awaitCount(3, "synapse.worker.startup", "module", "main");
    }
  }

  @Test
  void aSynapseWhoseWorkerIsKilled_countsARestart() {
    try (Synapse synapse = synapse().restartPolicy(RestartPolicy.onCrash()).build()) {
      synapse.spawn(module, "main");
      long first = (Long) synapse.invoke("pid", null);
      ProcessHandle.of(first).orElseThrow().destroyForcibly();

      awaitCount(1, "synapse.worker.restarts", "module", "main");
      Awaitility.await().atMost(WAIT).until(() -> synapse.ping(Duration.ofSeconds(1)));
      assertThat(synapse.invoke("pid", null)).isNotEqualTo(first);
      assertThat(count("synapse.worker.recycles", "module", "main")).isZero();
      assertThat(count("synapse.pool.queue.wait")).as("no pool, no queue").isZero();
    }
  }

  @Test
  void aPoolCallThatWaited_recordsItsQueueWait() {
    try (SynapsePool pool = pool().size(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module, "main");
      CompletableFuture<Object> first = pool.invokeAsync("sleep", 0.3);
      CompletableFuture<Object> second = pool.invokeAsync("sleep", 0.01);
      first.join();
      second.join();

      awaitCount(2, "synapse.pool.queue.wait", "function", "sleep");
      Timer wait = registry.get("synapse.pool.queue.wait").tags("function", "sleep").timer();
      assertThat(wait.max(TimeUnit.MILLISECONDS)).isGreaterThan(100);
      assertThat(pool.ping(WAIT)).isTrue();
    }
  }

  @Test
  void functionTags_areBounded() {
    metrics.onWorkerReady("m", new WorkerInfo(1, "3.11", "0", "pure", false, List.of("a")), 1);
    assertThat(metrics.functionTag("m", "a")).isEqualTo("a");
    assertThat(metrics.functionTag("m", null)).isEqualTo(SynapseMetrics.DEFAULT_FUNCTION);
    assertThat(metrics.functionTag("m", "b")).isEqualTo(SynapseMetrics.OTHER_FUNCTION);
    assertThat(metrics.functionTag("unknown", "a")).isEqualTo(SynapseMetrics.OTHER_FUNCTION);
  }
}
