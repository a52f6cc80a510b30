package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generator handlers consumed as Java streams, against real workers (the {@code streams} fixture).
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class StreamTest {
  /** The most items a worker may be ahead of the consumer (StreamCall.MAX_WINDOW). */
  private static final int WINDOW = 256;

  private static Synapse spawn(String python) {
    Synapse synapse = Fixtures.builder(python).build();
    synapse.spawn(module("streams"), "main");
    return synapse;
  }

  private static List<Long> range(long count) {
    return LongStream.range(0, count).boxed().collect(Collectors.toList());
  }

  /** The items before the stream failed, and the failure. */
  private static Map.Entry<List<Object>, RuntimeException> drain(Stream<Object> stream) {
    List<Object> items = new ArrayList<>();
    Iterator<Object> iterator = stream.iterator();
    try {
      while (iterator.hasNext()) {
        items.add(iterator.next());
      }
    } catch (RuntimeException e) {
      return Map.entry(items, e);
    }
    throw new AssertionError("the stream ended without an error after " + items.size() + " items");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> finallyRan(Synapse synapse) {
    return (List<Object>) ((Map<String, Object>) synapse.invoke("closed", null)).get("finally");
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void millionItems_theProducerNeverRunsMoreThanTheWindowAhead(String python) throws Exception {
    try (Synapse synapse = spawn(python);
        Stream<Object> stream = synapse.stream("count", 1_000_000)) {
      long consumed = 0;
      long sum = 0;
      Iterator<Object> items = stream.iterator();
      while (items.hasNext()) {
        long item = (Long) items.next();
        assertThat(item).isEqualTo(consumed);
        consumed++;
        sum += item;
        if (consumed % 100_000 == 0) {
          Thread.sleep(50); // a slow consumer: the generator, much faster, must wait for credit
          long produced = (Long) synapse.invoke("produced", null);
          assertThat(produced - consumed).isBetween(0L, (long) WINDOW);
        }
      }
      assertThat(consumed).isEqualTo(1_000_000);
      assertThat(sum).isEqualTo(999_999L * 1_000_000 / 2);
    }
  }

  @Test
  void slowConsumer_pausesTheGenerator() throws Exception {
    try (Synapse synapse = spawn(PLAIN_PYTHON);
        Stream<Object> stream = synapse.stream("count", 100_000)) {
      assertThat(stream.limit(10).count()).isEqualTo(10);
      Awaitility.await("the generator stays paused")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(30))
          .until(() -> (Long) synapse.invoke("produced", null) <= 10L + WINDOW);
      assertThat((Long) synapse.invoke("produced", null)).isBetween(10L, 10L + WINDOW);
    }
  }

  @Test
  void largeItems_getAWindowOfAboutEightMegabytes() throws Exception {
    try (Synapse synapse = spawn(DEBIAN_PYTHON);
        Stream<Object> stream = synapse.stream("sized", Map.of("count", 100, "size", 1 << 20))) {
      Iterator<Object> items = stream.iterator();
      assertThat((byte[]) items.next()).hasSize(1 << 20);
      // 8 items of credit came with the call; 8 MiB of 1 MiB items is no more than that.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> synapse.invoke("produced", null), is -> is.equals(8L));
      Awaitility.await("no more than 8 items are produced ahead")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(30))
          .until(() -> synapse.invoke("produced", null), is -> is.equals(8L));
      for (int i = 1; i < 100; i++) {
        assertThat((byte[]) items.next()).hasSize(1 << 20);
      }
      assertThat(items.hasNext()).isFalse();
    }
  }

  @Test
  void wholeStream_inOrder_withNulls_andTyped() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      try (Stream<Object> stream = synapse.stream("count", 1000)) {
        assertThat(stream.toList()).isEqualTo(range(1000));
      }
      try (Stream<Object> stream = synapse.stream("count", 0)) {
        assertThat(stream.toList()).isEmpty();
      }
      try (Stream<Object> stream = synapse.stream("maybe_none", null)) {
        assertThat(stream.toList()).containsExactly(null, 1L, null);
      }
      try (Stream<Integer> stream = synapse.stream("count", 5, Integer.class)) {
        assertThat(stream.mapToInt(Integer::intValue).sum()).isEqualTo(10);
      }
    }
  }

  @Test
  void earlyClose_closesTheGenerator_andTheWorkerKeepsServing() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      try (Stream<Object> stream = synapse.stream("forever", "sync")) {
        assertThat(stream.limit(10).toList()).isEqualTo(range(10));
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> synapse.invoke("closed", null),
              is -> is.equals(Map.of("closed", List.of("sync"), "finally", List.of("sync"))));
      assertThat(synapse.invoke("plain", 1)).isEqualTo(List.of(1L));
    }
  }

  @Test
  void earlyClose_closesTheAsyncGenerator() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      try (Stream<Object> stream = synapse.stream("aforever", "async")) {
        assertThat(stream.limit(1000).toList()).isEqualTo(range(1000));
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> finallyRan(synapse).contains("async"));
    }
  }

  @Test
  void asyncGenerator_streamsEverything() {
    try (Synapse synapse = spawn(DEBIAN_PYTHON);
        Stream<Object> stream = synapse.stream("acount", 10_000)) {
      assertThat(stream.toList()).isEqualTo(range(10_000));
    }
  }

  @Test
  void droppedUnclosed_isCancelledOnceGarbage() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      assertThat(synapse.stream("forever", "dropped").limit(3).toList()).isEqualTo(range(3));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                System.gc();
                return finallyRan(synapse).contains("dropped");
              });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fail_after", "afail_after"})
  void errorPartWay_isThrownAfterTheItemsBeforeIt(String function) {
    try (Synapse synapse = spawn(PLAIN_PYTHON);
        Stream<Object> stream = synapse.stream(function, 3)) {
      Map.Entry<List<Object>, RuntimeException> outcome = drain(stream);

      assertThat(outcome.getKey()).isEqualTo(range(3));
      assertThat(outcome.getValue())
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.HANDLER);
                assertThat(e.pythonType())
                    .isEqualTo(function.equals("fail_after") ? "ValueError" : "KeyError");
                assertThat(e.pythonMessage()).contains("failed after 3 items");
                assertThat(e.pythonTraceback()).contains("in " + function);
              });
      assertThat(synapse.invoke("plain", 2)).isEqualTo(List.of(2L));
    }
  }

  @Test
  void iteratorKeepsThrowingTheSameError() {
    try (Synapse synapse = spawn(PLAIN_PYTHON);
        Stream<Object> stream = synapse.stream("fail_after", 0)) {
      Iterator<Object> items = stream.iterator();
      assertThatThrownBy(items::hasNext).isInstanceOf(PythonException.class);
      assertThatThrownBy(items::next).isInstanceOf(PythonException.class);
    }
  }

  @Test
  void unencodableItem_endsTheStreamWithAnEncodeError() {
    try (Synapse synapse = spawn(DEBIAN_PYTHON);
        Stream<Object> stream = synapse.stream("unencodable_at", 2)) {
      Map.Entry<List<Object>, RuntimeException> outcome = drain(stream);

      assertThat(outcome.getKey()).isEqualTo(range(2));
      assertThat(outcome.getValue())
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.ENCODE);
                assertThat(e.pythonMessage())
                    .isEqualTo("stream item 2: cannot encode object of type 'set'");
              });
    }
  }

  @Test
  void workerKilledMidStream_failsAtThePosition() {
    try (Synapse synapse = spawn(PLAIN_PYTHON);
        Stream<Object> stream = synapse.stream("forever", "killed")) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      Iterator<Object> items = stream.iterator();
      for (long i = 0; i < 5; i++) {
        assertThat(items.next()).isEqualTo(i);
      }
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      long next = 5;
      RuntimeException failure = null;
      try {
        while (items.hasNext()) {
          assertThat(items.next()).isEqualTo(next++);
        }
      } catch (WorkerExitedException e) {
        failure = e;
      }
      assertThat(failure).isInstanceOf(WorkerExitedException.class);
      assertThat(next).isLessThanOrEqualTo(5 + WINDOW);
      assertThatThrownBy(items::hasNext).isSameAs(failure);
    }
  }

  @Test
  void workerIgnoringCredit_isAProtocolError_andIsReplaced() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("streams_greedy"), "main");
      long pid = synapse.workerInfo().orElseThrow().pid();
      try (Stream<Object> stream = synapse.stream("count", 10_000)) {
        // Nothing is consumed, so no credit is granted beyond the first 8 items until the worker is
        // gone.
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ProcessHandle.of(pid).isEmpty());
        Map.Entry<List<Object>, RuntimeException> outcome = drain(stream);

        assertThat(outcome.getKey()).isEqualTo(range(8)); // the initial credit
        assertThat(outcome.getValue())
            .isInstanceOf(ProtocolException.class)
            .hasMessage("The worker sent item 9 of stream 1 with credit for only 8 items");
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !Long.valueOf(pid).equals(synapse.invoke("pid", null)));
    }
  }

  @Test
  void disposeMidStream_failsTheStream() {
    Synapse synapse = spawn(PLAIN_PYTHON);
    try (Stream<Object> stream = synapse.stream("forever", "disposed")) {
      Iterator<Object> items = stream.iterator();
      items.next();
      synapse.dispose();
      assertThatThrownBy(
              () -> {
                while (items.hasNext()) {
                  items.next();
                }
              })
          .isInstanceOf(InstanceDisposedException.class)
          .hasMessageContaining("dispose()");
    }
  }

  @Test
  void timeout_boundsEachWait_notTheWholeStream() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      try (Stream<Object> stream =
          synapse.stream(Request.invoke("ticks", 5).withTimeout(Duration.ofMillis(400)))) {
        assertThat(stream.toList()).isEqualTo(range(5)); // 500 ms in all, 100 ms per item
      }
      try (Stream<Object> stream =
          synapse.stream(
              Request.invoke("astall", "timed out").withTimeout(Duration.ofMillis(300)))) {
        Iterator<Object> items = stream.iterator();
        assertThat(items.next()).isEqualTo("first");
        long started = System.nanoTime();
        assertThatThrownBy(items::hasNext)
            .isInstanceOfSatisfying(
                CallTimeoutException.class,
                e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300)));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .isGreaterThanOrEqualTo(Duration.ofMillis(290));
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> finallyRan(synapse).contains("timed out"));
    }
  }

  @Test
  void defaultCallTimeout_appliesToStreams() {
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).callTimeout(Duration.ofMillis(300)).build()) {
      synapse.spawn(module("streams"), "main");
      try (Stream<Object> stream = synapse.stream("astall", "default")) {
        assertThatThrownBy(stream::toList).isInstanceOf(CallTimeoutException.class);
      }
    }
  }

  @Test
  void interruptedWait_cancelsTheStream_andKeepsTheFlag() throws Exception {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      CountDownLatch first = new CountDownLatch(1);
      Thread consumer =
          new Thread(
              () -> {
                try (Stream<Object> stream = synapse.stream("astall", "interrupted")) {
                  Iterator<Object> items = stream.iterator();
                  items.next();
                  first.countDown();
                  items.hasNext();
                } catch (RuntimeException e) {
                  thrown.set(
                      Thread.currentThread().isInterrupted()
                          ? e
                          : new AssertionError("flag lost", e));
                } catch (Throwable e) {
                  thrown.set(e);
                  first.countDown();
                }
              });
      consumer.start();
      assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(thrown.get()).isNull();
      Awaitility.await("the consumer waits for the next item")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  consumer.getState() == Thread.State.WAITING
                      || consumer.getState() == Thread.State.TIMED_WAITING);
      consumer.interrupt();
      consumer.join(5000);

      assertThat(thrown.get())
          .isExactlyInstanceOf(SynapseException.class)
          .hasMessageContaining("Interrupted");
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> finallyRan(synapse).contains("interrupted"));
    }
  }

  @Test
  void concurrentStreams_eachGetsItsOwnItemsInOrder() {
    try (Synapse synapse = spawn(DEBIAN_PYTHON)) {
      List<CompletableFuture<List<Object>>> consumers = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int i = 0; i < 4; i++) {
        String function = i % 2 == 0 ? "count" : "acount";
        consumers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try (Stream<Object> stream = synapse.stream(function, 20_000)) {
                    start.await();
                    return stream.toList();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      start.countDown();
      for (CompletableFuture<List<Object>> consumer : consumers) {
        assertThat(consumer.join()).isEqualTo(range(20_000));
      }
    }
  }

  @Test
  void plainHandler_throughStream_isAnError_andGenerator_throughInvoke_isAnError() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      try (Stream<Object> stream = synapse.stream("plain", 1)) {
        assertThatThrownBy(stream::toList)
            .isInstanceOfSatisfying(
                PythonException.class,
                e -> {
                  assertThat(e.pythonType()).isEqualTo("TypeError");
                  assertThat(e.pythonMessage())
                      .startsWith("function 'plain' returned 'list', not a generator");
                });
      }
      assertThatThrownBy(() -> synapse.invoke("count", 3))
          .isInstanceOfSatisfying(
              PythonException.class,
              e ->
                  assertThat(e.pythonMessage())
                      .isEqualTo(
                          "function 'count' returned 'generator': consume it with stream() on the host;"
                              + " call() and invoke() take a single answer"));
      try (Stream<Object> stream = synapse.stream("nope", 1)) {
        assertThatThrownBy(stream::toList)
            .isInstanceOfSatisfying(
                PythonException.class,
                e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.FUNCTION));
      }
    }
  }

  @Test
  void unencodableInput_isThrownByTheStream() {
    try (Synapse synapse = spawn(PLAIN_PYTHON);
        Stream<Object> stream = synapse.stream("count", new Object())) {
      assertThatThrownBy(stream::toList).isInstanceOf(EncodingException.class);
    }
  }

  @Test
  void usingAClosedStream_isIllegal() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      Stream<Object> stream = synapse.stream("forever", "closed");
      Iterator<Object> items = stream.iterator();
      items.next();
      stream.close();
      assertThatThrownBy(items::hasNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("The stream was closed");
    }
  }

  @Test
  void beforeSpawn_isIllegal() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      assertThatThrownBy(() -> synapse.stream("count", 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot send inputs to instance before spawning it.");
    }
  }

  @Test
  void seedStyleModule_cannotStream() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).build()) {
      synapse.spawn(module("seed"), "main");
      assertThatThrownBy(() -> synapse.stream(Request.call(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("seed style");
      assertThat(synapse.call(1))
          .isEqualTo(Map.of("data", "Processing result from py of payload: 1"));
    }
  }
}
