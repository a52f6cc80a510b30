package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.InputStreamTest.Counted;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input streams that go wrong, on a {@link Synapse} and on a {@link SynapsePool}, with plain and
 * async handlers: the Java iterator throws, the handler raises, the call is cancelled or times out
 * mid-stream, the worker dies, an item cannot be encoded, the module is seed-style.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class InputStreamFailureTest {
  /** A Synapse or a one-worker pool, serving pysynapse's test worker {@code inputs.py}. */
  private static final class Target implements AutoCloseable {
    final SynapseCalls calls;
    private final AutoCloseable instance;
    private final RecordingListener listener = new RecordingListener();

    Target(String kind, String python) {
      if (kind.equals("pool")) {
        SynapsePool pool = Fixtures.pool(python).size(1).listener(listener).build();
        pool.spawn(Fixtures.pythonTestWorkers(), "inputs");
        calls = pool;
        instance = pool;
      } else {
        Synapse synapse = Fixtures.builder(python).listener(listener).build();
        synapse.spawn(Fixtures.pythonTestWorkers(), "inputs");
        calls = synapse;
        instance = synapse;
      }
    }

    /** Waits until the handler has taken input item {@code item} (it logs when it has). */
    void awaitTaken(long item) {
      String line = "took item " + item;
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> listener.texts().contains(line));
    }

    long pid() {
      return (Long) calls.invoke("pid", null);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> taken() {
      return (Map<String, Object>) calls.invoke("taken", null);
    }

    @Override
    public void close() throws Exception {
      instance.close();
    }
  }

  /** Items 0, 1, 2, ... that throws at {@code failAt}. */
  private static Iterator<Object> failingAt(int failAt) {
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Object next() {
        if (next == failAt) {
          throw new IllegalStateException("the database went away");
        }
        return next++;
      }
    };
  }

  /** Item 0, then waits for {@code gate} before each further item; counts the items pulled. */
  private static final class Gated implements Iterator<Object> {
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger pulled = new AtomicInteger();

    @Override
    public boolean hasNext() {
      if (pulled.get() > 0) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return true;
    }

    @Override
    public Object next() {
      return (long) pulled.getAndIncrement();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void theJavaIteratorThrows_theHandlerSeesItsPositionTypeAndMessage(String kind) throws Exception {
    try (Target target = new Target(kind, PLAIN_PYTHON)) {
      for (String function : List.of("catch_input_error", "acatch_input_error")) {
        Object answer = target.calls.execute(Request.streamInput(function, failingAt(5)));
        assertThat(answer)
            .isEqualTo(
                Map.of(
                    "seen",
                    List.of(0L, 1L, 2L, 3L, 4L),
                    "position",
                    5L,
                    "type",
                    "java.lang.IllegalStateException",
                    "message",
                    "the database went away",
                    "text",
                    "the host's input stream failed at item 5:"
                        + " java.lang.IllegalStateException: the database went away"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void theJavaIteratorThrows_uncaught_theCallFailsWithItAsTheCause(String kind) throws Exception {
    try (Target target = new Target(kind, DEBIAN_PYTHON)) {
      for (String function : List.of("total", "atotal")) {
        assertThatThrownBy(() -> target.calls.execute(Request.streamInput(function, failingAt(3))))
            .isInstanceOf(PythonException.class)
            .hasMessageContaining("pysynapse.InputStreamError")
            .hasMessageContaining(
                "at item 3: java.lang.IllegalStateException: the database went away")
            .hasRootCauseInstanceOf(IllegalStateException.class)
            .hasRootCauseMessage("the database went away");
      }
      assertThat(target.calls.invoke("echo", "usable")).isEqualTo("usable");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"total", "atotal", "double"})
  void aPythonExceptionNamesTheInputItemWhereItHappened(String function) throws Exception {
    String handler = function.equals("atotal") ? "afail_at" : "fail_at";
    Stream<Object> inputs = Stream.of("a", "b", "c", "boom", "d");
    try (Target target = new Target("synapse", PLAIN_PYTHON)) {
      assertThatThrownBy(() -> target.calls.execute(Request.streamInput(handler, inputs)))
          .isInstanceOf(PythonException.class)
          .hasMessageContaining("ValueError")
          .hasMessageContaining("input item 3: bad item after 3");
    }
  }

  @Test
  void aGeneratorsExceptionNamesTheInputItemToo() throws Exception {
    try (Target target = new Target("synapse", PLAIN_PYTHON);
        Stream<Object> doubled =
            target.calls.stream(
                Request.streamInput("double", Arrays.asList(1L, 2L, null, 4L).iterator()))) {
      Iterator<Object> items = doubled.iterator();
      assertThat(items.next()).isEqualTo(2L);
      assertThat(items.next()).isEqualTo(4L);
      assertThatThrownBy(items::next) // None * 2
          .isInstanceOf(PythonException.class)
          .hasMessageContaining("TypeError")
          .hasMessageContaining("input item 2: unsupported operand");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void cancelMidStream_interruptsTheHandler_stopsPulling_closesTheStream(String kind)
      throws Exception {
    for (String function : List.of("hang", "ahang")) {
      Counted endless = new Counted(-1);
      try (Target target = new Target(kind, PLAIN_PYTHON)) {
        CompletableFuture<Object> call =
            target.calls.executeAsync(Request.streamInput(function, endless.stream()));
        target.awaitTaken(0); // the handler took its item and sleeps
        assertThat(call.cancel(true)).isTrue();
        assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
        long pulled = endless.pulledWhenClosed();
        assertThat(pulled).isLessThanOrEqualTo(InputStreamTest.INPUT_WINDOW + 1);
        Awaitility.await().until(() -> ((Long) target.taken().get("closed")) == 1L);
        assertThat(endless.pulled.get()).isEqualTo(pulled);
      }
    }
  }

  @Test
  void cancelWhileTheHandlerWaitsForAnItemTheIteratorIsSlowToGive() throws Exception {
    Gated gated = new Gated();
    CountDownLatch closed = new CountDownLatch(1);
    Stream<Object> inputs =
        StreamSupport.stream(Spliterators.spliteratorUnknownSize(gated, Spliterator.ORDERED), false)
            .onClose(closed::countDown);
    try (Target target = new Target("synapse", DEBIAN_PYTHON)) {
      CompletableFuture<Object> call =
          target.calls.executeAsync(Request.streamInput("hang_waiting", inputs));
      target.awaitTaken(0); // and it waits for item 1, which the iterator holds back
      call.cancel(true);
      Awaitility.await().until(() -> ((Long) target.taken().get("closed")) == 1L);
      assertThat(target.taken().get("taken")).isEqualTo(1L);
      assertThat(closed.getCount()).as("closed while the iterator is still pulled").isEqualTo(1);
      gated.gate.countDown(); // the iterator's hasNext returns: the feed pulls nothing more
      assertThat(closed.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(gated.pulled.get()).isLessThanOrEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void aTimeoutMidStream_closesThePythonSide(String kind) throws Exception {
    Counted endless = new Counted(-1);
    try (Target target = new Target(kind, PLAIN_PYTHON)) {
      Request request =
          Request.streamInput("hang", endless.stream()).withTimeout(Duration.ofMillis(1500));
      assertThatThrownBy(() -> target.calls.execute(request))
          .isInstanceOf(CallTimeoutException.class);
      Awaitility.await().until(() -> ((Long) target.taken().get("closed")) == 1L);
      assertThat(endless.pulledWhenClosed()).isLessThanOrEqualTo(InputStreamTest.INPUT_WINDOW + 1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"double", "adouble"})
  void closingTheOutputStream_closesTheGenerator_andStopsTheInput(String function)
      throws Exception {
    Counted endless = new Counted(-1);
    try (Target target = new Target("synapse", PLAIN_PYTHON)) {
      try (Stream<Object> doubled = target.calls.stream(Request.streamInput(function, endless))) {
        assertThat(doubled.limit(10).toList()).hasSize(10);
      }
      Awaitility.await()
          .during(Duration.ofMillis(200))
          .atMost(Duration.ofSeconds(5))
          .until(endless.pulled::get, pulled -> pulled == endless.pulled.get());
      assertThat(endless.pulled.get())
          .isLessThanOrEqualTo(10 + InputStreamTest.INPUT_WINDOW + InputStreamTest.OUTPUT_WINDOW);
      assertThat(target.calls.invoke("echo", "usable")).isEqualTo("usable");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void theWorkerKilledMidStream_failsTheCallWithWorkerExited(String kind) throws Exception {
    Counted endless = new Counted(-1);
    try (Target target = new Target(kind, PLAIN_PYTHON)) {
      long pid = target.pid();
      CompletableFuture<Object> call =
          target.calls.executeAsync(Request.streamInput("hang", endless.stream()));
      target.awaitTaken(0);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(WorkerExitedException.class);
      assertThat(endless.pulledWhenClosed()).isLessThanOrEqualTo(InputStreamTest.INPUT_WINDOW + 1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synapse", "pool"})
  void anItemThatCannotBeEncoded_failsTheCallNamingItsPosition(String kind) throws Exception {
    Stream<Object> inputs = Stream.of(1L, 2L, 3L, new Object(), 5L);
    try (Target target = new Target(kind, PLAIN_PYTHON)) {
      assertThatThrownBy(() -> target.calls.execute(Request.streamInput("total", inputs)))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("Item 3 of the input stream");
      assertThat(target.calls.invoke("echo", "usable")).isEqualTo("usable");
    }
  }

  @Test
  void anItemThatCannotBeEncoded_endsTheOutputStreamWithEncodingException() throws Exception {
    try (Target target = new Target("synapse", PLAIN_PYTHON);
        Stream<Object> doubled =
            target.calls.stream(
                Request.streamInput("double", Stream.of(1L, new Object(), 3L))
                    .withTimeout(Duration.ofSeconds(30)))) {
      List<Object> received = new java.util.ArrayList<>();
      Iterator<Object> items = doubled.iterator();
      assertThatThrownBy(
              () -> {
                while (items.hasNext()) {
                  received.add(items.next());
                }
              })
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("Item 1 of the input stream");
      assertThat(received).isSubsetOf(List.of(2L)); // item 0's answer may come after the failure
      assertThat(target.calls.invoke("echo", "usable")).isEqualTo("usable");
    }
  }

  @Test
  void aSeedStyleModuleRefusesAnInputStream() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).build()) {
      synapse.spawn(module("seed"), "main");
      assertThatThrownBy(() -> synapse.execute(Request.streamInput(null, List.of(1L).iterator())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Input streams need a module served by pysynapse.serve");
      assertThatThrownBy(() -> synapse.stream(Request.streamInput(null, List.of(1L).iterator())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Input streams need a module served by pysynapse.serve");
    }
    try (SynapsePool pool = Fixtures.pool(DEBIAN_PYTHON).size(1).build()) {
      pool.spawn(module("seed"), "main");
      assertThatThrownBy(() -> pool.execute(Request.streamInput(null, List.of(1L).iterator())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Input streams need a module served by pysynapse.serve");
    }
  }
}
