package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(NoLeaks.class)
@Timeout(120)
class ConcurrencyTest {
  private static final int THREADS = 16;
  private static final int CALLS = 1000;

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void sixteenThreadsTimesAThousandCalls_eachAnswerReachesItsOwnCaller(String python)
      throws Exception {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("echo"), "main");
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    int matched = 0;
                    for (int i = 0; i < CALLS; i++) {
                      Map<String, Object> input = Map.of("thread", thread, "i", i);
                      Object answer =
                          i % 2 == 0
                              ? synapse.call(input)
                              : synapse.callAsync(input).get(30, TimeUnit.SECONDS);
                      assertThat(answer).isEqualTo(Map.of("thread", (long) thread, "i", (long) i));
                      matched++;
                    }
                    return matched;
                  }));
        }
        start.countDown();
        for (Future<Integer> result : results) {
          assertThat(result.get(100, TimeUnit.SECONDS)).isEqualTo(CALLS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void asyncCallsReturnAtOnceWhileTheWorkerIsBusyAndItsPipeIsFull(
      String python, @TempDir Path latches) throws Exception {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("toolbox"), "main");
      Path release = latches.resolve("release");
      CompletableFuture<Object> busy = synapse.invokeAsync("hold", release.toString());
      byte[] kibibyte = new byte[1024];

      List<CompletableFuture<Object>> queued = new ArrayList<>();
      for (int i = 0; i < 512; i++) {
        queued.add(synapse.invokeAsync("length", kibibyte));
      }

      // 512 KiB of calls cannot all fit into the pipe while the worker holds: a caller that wrote
      // them itself would still be blocked above, until the test's timeout, since only this thread
      // releases the worker.
      assertThat(busy).isNotDone();
      Files.createFile(release);
      for (CompletableFuture<Object> call : queued) {
        assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo(1024L);
      }
      assertThat(busy.get(60, TimeUnit.SECONDS)).isEqualTo(true);
    }
  }

  @Test
  void aCallerNeverWritesIntoAPipeStillFullOfCallsGivenUpOn(@TempDir Path latches)
      throws Exception {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");
      CompletableFuture<Object> asyncAnswer = synapse.invokeAsync("async_sleep", 1);
      synapse.invoke("echo", "the async sleep was read before this call");
      Path release = latches.resolve("release");
      CompletableFuture<Object> busy = synapse.invokeAsync("hold", release.toString());
      Path started = latches.resolve("release.started");
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(started));
      // stdin is not read now
      CompletableFuture<Object> givenUp =
          synapse.executeAsync(
              Request.invoke("length", new byte[62 * 1024]).withTimeout(Duration.ofMillis(200)));
      assertThatThrownBy(() -> givenUp.get(60, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CallTimeoutException.class);
      // An answer to an earlier call says nothing about the 62 KiB still in the pipe.
      assertThat(asyncAnswer.get(60, TimeUnit.SECONDS)).isEqualTo(1L);

      // A caller that wrote into the full pipe itself would be blocked here until the test's
      // timeout: only this thread releases the worker.
      CompletableFuture<Object> next = synapse.invokeAsync("length", new byte[3 * 1024]);

      assertThat(busy).isNotDone();
      Files.createFile(release);
      assertThat(next.get(60, TimeUnit.SECONDS)).isEqualTo(3L * 1024);
    }
  }
}
