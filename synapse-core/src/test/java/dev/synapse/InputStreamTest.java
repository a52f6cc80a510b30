package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls whose input is a stream ({@link Request#streamInput}), against real workers (pysynapse's
 * test worker {@code inputs.py}): stream in, one answer out; stream in, stream out; flow control
 * both ways.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class InputStreamTest {
  /** The most input items the worker grants and has not taken (pysynapse's _MAX_WINDOW). */
  static final int INPUT_WINDOW = 64;

  /** The most output items the host grants and has not handed out (StreamCall.MAX_WINDOW). */
  static final int OUTPUT_WINDOW = 256;

  static Synapse spawn(String python) {
    Synapse synapse = Fixtures.builder(python).build();
    synapse.spawn(Fixtures.pythonTestWorkers(), "inputs");
    return synapse;
  }

  /** 0 .. count-1 (endless if count is negative), counting what was pulled. */
  static final class Counted implements Iterator<Object> {
    final AtomicLong pulled = new AtomicLong();
    final CountDownLatch closed = new CountDownLatch(1);
    private final long count;

    Counted(long count) {
      this.count = count;
    }

    @Override
    public boolean hasNext() {
      return count < 0 || pulled.get() < count;
    }

    @Override
    public Object next() {
      return pulled.getAndIncrement();
    }

    /** These items as a stream that counts down {@link #closed} when it is closed. */
    Stream<Object> stream() {
      return StreamSupport.stream(
              Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
          .onClose(closed::countDown);
    }

    /**
     * The items pulled in all, once the call's feed has closed {@link #stream()}: it pulls none
     * after that.
     */
    long pulledWhenClosed() throws InterruptedException {
      assertThat(closed.await(30, TimeUnit.SECONDS)).as("the input stream was closed").isTrue();
      return pulled.get();
    }
  }

  /**
   * Sums {@code calls} input streams of 1, 2, ... times {@code step} items, all in flight at once.
   */
  static void sumsAtOnce(SynapseCalls target, int calls, long step) {
    List<CompletableFuture<Object>> sums =
        LongStream.rangeClosed(1, calls)
            .mapToObj(
                n ->
                    target.executeAsync(
                        Request.streamInput(
                            "total", LongStream.range(0, n * step).boxed().iterator())))
            .toList();
    for (int n = 1; n <= calls; n++) {
      assertThat(sums.get(n - 1).join()).isEqualTo(LongStream.range(0, n * step).sum());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void streamIn_oneAnswer(String python) {
    try (Synapse synapse = spawn(python)) {
      Object sum = synapse.execute(Request.streamInput("total", new Counted(10_000)));
      assertThat(sum).isEqualTo(LongStream.range(0, 10_000).sum());
      assertThat(synapse.execute(Request.streamInput("collect", List.of().iterator())))
          .isEqualTo(List.of());
      assertThat(synapse.invoke("echo", "still serving")).isEqualTo("still serving");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void streamIn_streamOut(String python) {
    try (Synapse synapse = spawn(python);
        Stream<Object> doubled =
            synapse.stream(Request.streamInput("double", Stream.of(1L, 2L, 3L)))) {
      assertThat(doubled.toList()).containsExactly(2L, 4L, 6L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void asyncHandlers_streamIn_oneAnswerAndStreamOut(String python) {
    try (Synapse synapse = spawn(python)) {
      assertThat(synapse.execute(Request.streamInput("atotal", new Counted(5_000))))
          .isEqualTo(LongStream.range(0, 5_000).sum());
      try (Stream<Object> doubled =
          synapse.stream(Request.streamInput("adouble", new Counted(3_000)))) {
        assertThat(doubled.toList())
            .isEqualTo(LongStream.range(0, 3_000).map(n -> n * 2).boxed().toList());
      }
    }
  }

  @Test
  void streamInput_ofAJavaStream_isClosedWhenTheCallIsOver() throws Exception {
    AtomicLong closed = new AtomicLong();
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      Stream<Long> values = Stream.of(1L, 2L, 3L, 4L).onClose(closed::incrementAndGet);
      assertThat(synapse.execute(Request.streamInput("total", values))).isEqualTo(10L);
      org.awaitility.Awaitility.await().until(() -> closed.get() == 1);
    }
  }

  @Test
  void manyInputStreamsAtOnce_eachGetsItsOwnItems() {
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      sumsAtOnce(synapse, 8, 1000);
    }
  }

  /**
   * 100,000 items through a stream-in, stream-out call with a slow consumer on each side: the Java
   * side never pulls more than the two windows ahead of what it received back, so neither side's
   * memory grows with the stream.
   */
  @ParameterizedTest
  @ValueSource(strings = {"double", "slow_double"})
  void hundredThousandItems_slowConsumers_itemsInFlightStayBounded(String function)
      throws Exception {
    Counted inputs = new Counted(100_000);
    long maxInFlight = 0;
    long received = 0;
    try (Synapse synapse = spawn(DEBIAN_PYTHON);
        Stream<Object> doubled = synapse.stream(Request.streamInput(function, inputs))) {
      Iterator<Object> out = doubled.iterator();
      while (out.hasNext()) {
        assertThat(out.next()).isEqualTo(received * 2);
        received++;
        maxInFlight = Math.max(maxInFlight, inputs.pulled.get() - received);
        if (function.equals("double") && received % 1000 == 0) {
          Thread.sleep(20); // the slow consumer on the Java side
        }
      }
    }
    assertThat(received).isEqualTo(100_000);
    // Pulled but not received back: the worker's input window, the items its generator holds,
    // and the host's output window.
    assertThat(maxInFlight).isLessThanOrEqualTo(INPUT_WINDOW + OUTPUT_WINDOW + 2);
  }

  @Test
  void aHandlerThatReturnsEarly_endsTheFeed_theIteratorIsNotDrained() throws Exception {
    Counted endless = new Counted(-1);
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      assertThat(synapse.execute(Request.streamInput("first", endless.stream()))).isEqualTo(0L);
      assertThat(endless.pulledWhenClosed()).isLessThanOrEqualTo(INPUT_WINDOW + 1);
      assertThat(synapse.invoke("echo", 1L)).isEqualTo(1L);
    }
  }

  @Test
  void pool_streamInAndOut_stayOnOneWorker() {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(2).build()) {
      pool.spawn(Fixtures.pythonTestWorkers(), "inputs");
      sumsAtOnce(pool, 6, 500);
      for (String function : List.of("double", "adouble")) {
        try (Stream<Object> doubled =
            pool.stream(Request.streamInput(function, new Counted(5_000)))) {
          assertThat(doubled.count()).isEqualTo(5_000);
        }
      }
      assertThat(pool.execute(Request.streamInput("atotal", new Counted(100))))
          .isEqualTo(LongStream.range(0, 100).sum());
    }
  }

  @Test
  void aRequestWithAnInputStream_runsOnce_andIsNotRetried() {
    Request request = Request.streamInput("total", List.of(1L, 2L).iterator());
    assertThatThrownBy(() -> request.withRetries(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be retried");
    try (Synapse synapse = spawn(PLAIN_PYTHON)) {
      assertThat(synapse.execute(request)).isEqualTo(3L);
      assertThatThrownBy(() -> synapse.execute(request))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("taken by an earlier call");
    }
  }
}
