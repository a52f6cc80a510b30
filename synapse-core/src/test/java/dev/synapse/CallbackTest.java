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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Python calls Java: handlers of the {@code callbacks} fixture call functions exposed with {@code
 * expose(...)}, which may call the worker again, under both of pysynapse's codecs.
 */
@ExtendWith(NoLeaks.class)
@Timeout(90)
class CallbackTest {
  record Point(long x, long y) {}

  /** The instance, for the exposed functions that call their worker back. */
  private final AtomicReference<SynapseCalls> self = new AtomicReference<>();

  private Synapse spawn(String python, Synapse.Builder builder) {
    Synapse synapse = builder.build();
    self.set(synapse);
    synapse.spawn(module("callbacks"), "main");
    return synapse;
  }

  private Synapse.Builder builder(String python) {
    return Fixtures.builder(python)
        .expose("upper", input -> ((String) input).toUpperCase())
        .expose("double", Point.class, p -> new Point(p.x() * 2, p.y() * 2))
        .expose("descend", depth -> self.get().invoke("nest", (Long) depth - 1))
        .expose("descend_async", depth -> self.get().invoke("nest_async", (Long) depth - 1))
        .expose("relay", name -> self.get().invoke((String) name, "from java"));
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void plainAndAsyncHandlers_getTheAnswersOfJavaFunctions(String python) {
    try (Synapse synapse = spawn(python, builder(python))) {
      assertThat(synapse.invoke("ask", Map.of("fn", "upper", "arg", "abc"))).isEqualTo("ABC");
      assertThat(synapse.invoke("ask_async", Map.of("fn", "upper", "arg", "xyz"))).isEqualTo("XYZ");
      assertThat(synapse.invoke("ask_from_threads", Map.of("fn", "upper", "arg", "t")))
          .isEqualTo(List.of("T/0", "T/1", "T/2", "T/3"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void aTypedFunction_takesAndReturnsRecords(String python) {
    try (Synapse synapse = spawn(python, builder(python))) {
      Object answer = synapse.invoke("ask", Map.of("fn", "double", "arg", Map.of("x", 1, "y", 2)));

      assertThat(answer).isEqualTo(Map.of("x", 2L, "y", 4L));
      assertThatThrownBy(
              () -> synapse.invoke("ask", Map.of("fn", "double", "arg", Map.of("x", "one"))))
          .isInstanceOfSatisfying(
              PythonException.class,
              e ->
                  assertThat(e.pythonMessage())
                      .startsWith("java.lang.IllegalArgumentException: The input of function")
                      .contains("does not fit dev.synapse.CallbackTest$Point"));
    }
  }

  /**
   * Java → Python → Java → Python → Java → Python, on one plain handler thread: each waiting
   * handler serves the call that the Java function makes meanwhile.
   */
  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void nestedThreeLevelsDeep_onASingleThreadedPlainHandler_doesNotDeadlock(String python) {
    try (Synapse synapse = spawn(python, builder(python))) {
      assertThat(synapse.invoke("nest", 3)).isEqualTo(List.of("py3", "py2", "py1", "bottom"));
      assertThat(synapse.invoke("nest_async", 3))
          .isEqualTo(List.of("apy3", "apy2", "apy1", "bottom"));
    }
  }

  /** A Java function that blocks until it is interrupted, counting down when it starts and ends. */
  private static final class BlockedUntilInterrupted {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    private final CountDownLatch never = new CountDownLatch(1);

    Object run(Object input) throws InterruptedException {
      started.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return "woke";
    }
  }

  @Test
  void sixteenThreadsOfCallsWithCallbacks_eachGetTheirOwnAnswer() throws Exception {
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder(PLAIN_PYTHON))) {
      ExecutorService threads = Executors.newFixedThreadPool(16);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int thread = t;
        done.add(
            threads.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20; i++) {
                    String tag = "t" + thread + "-" + i;
                    String function = i % 2 == 0 ? "ask" : "ask_async";
                    assertThat(synapse.invoke(function, Map.of("fn", "upper", "arg", tag)))
                        .isEqualTo(tag.toUpperCase());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void aJavaException_surfacesInPythonWithItsClassMessageAndStackTrace(String python) {
    Synapse.Builder builder =
        builder(python)
            .expose(
                "stock",
                input -> {
                  throw new IllegalStateException("no stock for 42");
                });
    try (Synapse synapse = spawn(python, builder)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> error = (Map<String, Object>) synapse.invoke("java_error", "stock");

      assertThat(error)
          .containsEntry("class", "pysynapse.host.JavaError")
          .containsEntry("java_type", "java.lang.IllegalStateException")
          .containsEntry("java_message", "no stock for 42")
          .containsEntry("str", "java.lang.IllegalStateException: no stock for 42");
      assertThat((String) error.get("java_stack_trace"))
          .startsWith("java.lang.IllegalStateException: no stock for 42")
          .contains("at dev.synapse.CallbackTest");
      assertThatThrownBy(() -> synapse.invoke("ask", Map.of("fn", "stock")))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.pythonType()).isEqualTo("pysynapse.host.JavaError");
                assertThat(e.pythonMessage())
                    .isEqualTo("java.lang.IllegalStateException: no stock for 42");
              });
    }
  }

  @Test
  void anUnknownFunction_isAClearErrorInPython() {
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder(PLAIN_PYTHON))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> error = (Map<String, Object>) synapse.invoke("java_error", "nope");

      assertThat(error).containsEntry("class", "pysynapse.host.UnknownFunctionError");
      assertThat((String) error.get("java_message"))
          .isEqualTo(
              "the host exposes no function named 'nope'; it exposes: "
                  + "upper, double, descend, descend_async, relay");
    }
  }

  @Test
  void aPythonErrorInANestedCall_reachesTheOuterJavaCaller() {
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder(PLAIN_PYTHON))) {
      assertThatThrownBy(() -> synapse.invoke("ask", Map.of("fn", "relay", "arg", "fail")))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.pythonType()).isEqualTo("pysynapse.host.JavaError");
                assertThat(e.pythonMessage())
                    .startsWith("dev.synapse.PythonException")
                    .contains("ValueError", "bad from java");
              });
      assertThat(synapse.invoke("echo", "alive")).isEqualTo("alive");
    }
  }

  @Test
  void aTimeoutOfTheOuterCall_interruptsTheJavaFunction_andEndsThePythonWait() throws Exception {
    BlockedUntilInterrupted hang = new BlockedUntilInterrupted();
    Synapse.Builder builder = builder(PLAIN_PYTHON).expose("hang", hang::run);
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder)) {
      long pid = (Long) synapse.invoke("pid", null);

      assertThatThrownBy(
              () ->
                  synapse.execute(
                      Request.invoke("wait_for_java", "hang").withTimeout(Duration.ofSeconds(1))))
          .isInstanceOfSatisfying(
              CallTimeoutException.class, e -> assertThat(e.workerReplaced()).isFalse());

      assertThat(hang.started.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(hang.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(recorded(synapse)).startsWith("wait ended: call ").endsWith("by the host");
      assertThat(synapse.invoke("pid", null)).isEqualTo(pid);
    }
  }

  @Test
  void aHostCallThePythonSideGivesUpOn_interruptsTheJavaFunction() throws Exception {
    BlockedUntilInterrupted hang = new BlockedUntilInterrupted();
    Synapse.Builder builder = builder(PLAIN_PYTHON).expose("hang", hang::run);
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder)) {
      assertThat(synapse.invoke("ask_with_deadline", "hang")).isEqualTo("gave up");
      assertThat(hang.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aCallbackAfterItsOuterCallWasCancelled_isRefusedAndNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Synapse.Builder builder =
        builder(PLAIN_PYTHON).expose("count", input -> runs.incrementAndGet());
    try (Synapse synapse = spawn(PLAIN_PYTHON, builder)) {
      assertThatThrownBy(
              () ->
                  synapse.execute(
                      Request.invoke("call_after_cancel", "count")
                          .withTimeout(Duration.ofMillis(500))))
          .isInstanceOf(CallTimeoutException.class);

      assertThat(recorded(synapse))
          .matches(
              "refused: call \\d+ was cancelled or timed out: .*refuses the calls made for it");
      assertThat(runs).hasValue(0);
    }
  }

  @Test
  void onAPool_functionsCallThePoolBack() {
    SynapsePool.Builder builder =
        Fixtures.pool(PLAIN_PYTHON)
            .size(2)
            .expose("descend", depth -> self.get().invoke("nest", (Long) depth - 1))
            .expose("upper", input -> ((String) input).toUpperCase());
    try (SynapsePool pool = builder.build()) {
      pool.spawn(module("callbacks"), "main");
      self.set(pool);

      assertThat(pool.invoke("nest", 3)).isEqualTo(List.of("py3", "py2", "py1", "bottom"));
      assertThat(pool.invoke("ask_async", Map.of("fn", "upper", "arg", "pool"))).isEqualTo("POOL");
    }
  }

  @Test
  void functionsRunOnTheExecutorSet() {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(task -> new Thread(task, "app-exposed"));
    try (Synapse synapse =
        spawn(
            PLAIN_PYTHON,
            Fixtures.builder(PLAIN_PYTHON)
                .exposedExecutor(executor)
                .expose("thread", input -> Thread.currentThread().getName()))) {
      assertThat(synapse.invoke("ask", Map.of("fn", "thread"))).isEqualTo("app-exposed");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void exposeChecksItsArguments() {
    Synapse.Builder builder = Synapse.builder().expose("f", input -> input);
    assertThatThrownBy(() -> builder.expose("f", input -> input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A function named 'f' is exposed already");
    assertThatThrownBy(() -> builder.expose("", input -> input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The name of an exposed function cannot be empty");
    assertThatThrownBy(() -> builder.expose("g", null)).isInstanceOf(NullPointerException.class);
  }

  private static String recorded(Synapse synapse) {
    AtomicReference<Object> seen = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              seen.set(synapse.invoke("take_recorded", null));
              return seen.get() != null;
            });
    return (String) seen.get();
  }
}
