package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Calls against pysynapse modules, on both interpreters: the pure-Python codec and msgpack's. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class CallTest {
  private static Synapse spawn(String python, String fixture) {
    Synapse synapse = Fixtures.builder(python).build();
    synapse.spawn(module(fixture), "main");
    return synapse;
  }

  @ParameterizedTest
  @CsvSource({PLAIN_PYTHON + ",pure", DEBIAN_PYTHON + ",msgpack"})
  void eachInterpreterUsesItsCodec(String python, String codec) {
    try (Synapse synapse = spawn(python, "echo")) {
      WorkerInfo info = synapse.workerInfo().orElseThrow();
      assertThat(info.codec()).isEqualTo(codec);
      assertThat(info.seedProtocol()).isFalse();
      assertThat(info.pythonVersion()).startsWith("3.");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void everyMappedTypeRoundTrips(String python) {
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("null", null);
    input.put("true", true);
    input.put("int", 42);
    input.put("negative", -1L << 40);
    input.put("minLong", Long.MIN_VALUE);
    input.put("maxUnsigned", BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    input.put("double", 3.25);
    input.put("string", "naïve ☃");
    input.put("bytes", new byte[] {0, 1, (byte) 255});
    input.put("list", List.of(1, "two", List.of()));
    input.put("array", new long[] {7, 8});
    input.put("instant", Instant.parse("2024-02-29T12:34:56.789123Z"));
    input.put("beforeEpoch", Instant.parse("1960-01-01T00:00:00.5Z"));
    Map<Object, Object> nested = new LinkedHashMap<>();
    nested.put("z", 1);
    nested.put("a", Map.of("deep", List.of(Map.of())));
    input.put("nested", nested);

    try (Synapse synapse = spawn(python, "echo")) {
      @SuppressWarnings("unchecked")
      Map<Object, Object> answer = (Map<Object, Object>) synapse.call(input);

      assertThat(new ArrayList<>(answer.keySet())).isEqualTo(new ArrayList<>(input.keySet()));
      assertThat(answer.get("null")).isNull();
      assertThat(answer.get("true")).isEqualTo(true);
      assertThat(answer.get("int")).isEqualTo(42L);
      assertThat(answer.get("negative")).isEqualTo(-1L << 40);
      assertThat(answer.get("minLong")).isEqualTo(Long.MIN_VALUE);
      assertThat(answer.get("maxUnsigned")).isEqualTo(input.get("maxUnsigned"));
      assertThat(answer.get("double")).isEqualTo(3.25);
      assertThat(answer.get("string")).isEqualTo("naïve ☃");
      assertThat((byte[]) answer.get("bytes")).containsExactly(0, 1, 255);
      assertThat(answer.get("list")).isEqualTo(List.of(1L, "two", List.of()));
      assertThat(answer.get("array")).isEqualTo(List.of(7L, 8L));
      assertThat(answer.get("instant")).isEqualTo(input.get("instant"));
      assertThat(answer.get("beforeEpoch")).isEqualTo(input.get("beforeEpoch"));
      assertThat(new ArrayList<>(((Map<?, ?>) answer.get("nested")).keySet()))
          .isEqualTo(List.of("z", "a"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void sequentialCallsEachGetTheirOwnAnswer(String python) {
    try (Synapse synapse = spawn(python, "echo")) {
      assertThat(synapse.call(null)).isNull();
      for (int i = 0; i < 200; i++) {
        assertThat(synapse.call(Map.of("i", i))).isEqualTo(Map.of("i", (long) i));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void asyncCallsCompleteOffTheReaderThread(String python) throws Exception {
    try (Synapse synapse = spawn(python, "echo")) {
      String thread =
          synapse
              .callAsync("x")
              .thenApply(answer -> Thread.currentThread().getName())
              .get(10, TimeUnit.SECONDS);

      assertThat(thread).doesNotStartWith("synapse-");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void namedFunctions(String python) {
    try (Synapse synapse = spawn(python, "toolbox")) {
      assertThat(synapse.workerInfo().orElseThrow().functions()).contains("echo", "fail", "sleep");
      assertThat(synapse.invoke("echo", List.of(1))).isEqualTo(List.of(1L));
      assertThat(synapse.invoke("length", new byte[1000], Integer.class)).isEqualTo(1000);

      assertThatThrownBy(() -> synapse.invoke("nope", 1))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.FUNCTION);
                assertThat(e.getMessage()).contains("nope", "echo");
              });
      assertThatThrownBy(() -> synapse.call(1))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.FUNCTION));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void handlerException_carriesTypeMessageAndTraceback_andTheWorkerKeepsServing(String python) {
    try (Synapse synapse = spawn(python, "toolbox")) {
      long pid = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.invoke("fail", "oops"))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.HANDLER);
                assertThat(e.pythonType()).isEqualTo("ValueError");
                assertThat(e.pythonMessage()).isEqualTo("bad input: oops");
                assertThat(e.pythonTraceback())
                    .contains("Traceback", "in fail", "raise ValueError");
                assertThat(e.getMessage()).startsWith("ValueError: bad input: oops");
              });
      assertThat(synapse.invoke("echo", "still here")).isEqualTo("still here");
      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(pid);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void unencodableAnswer_isAPythonException_andTheWorkerKeepsServing(String python) {
    try (Synapse synapse = spawn(python, "toolbox")) {
      assertThatThrownBy(() -> synapse.invoke("unencodable", null))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.ENCODE);
                assertThat(e.getMessage()).contains("set");
              });
      assertThat(synapse.invoke("echo", 1)).isEqualTo(1L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void unencodableInput_failsBeforeAnythingIsSent(String python) {
    try (Synapse synapse = spawn(python, "echo")) {
      assertThatThrownBy(() -> synapse.call(Map.of("k", List.of(new Object()))))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("a value of type java.lang.Object at $.k[0]");
      assertThatThrownBy(() -> synapse.call(BigInteger.ONE.shiftLeft(70)))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("beyond 64 bits");
      assertThat(synapse.call("fine")).isEqualTo("fine");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void typedAndJsonAnswers(String python) {
    try (Synapse synapse = spawn(python, "echo")) {
      assertThat(synapse.call(7, Long.class)).isEqualTo(7L);
      assertThat(synapse.call("text", String.class)).isEqualTo("text");
      assertThat(synapse.call(Map.of("a", 1), Map.class)).isEqualTo(Map.of("a", 1L));
      assertThatThrownBy(() -> synapse.call("text", Long.class))
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("to java.lang.Long");

      assertThat(synapse.call("{\"a\": [1, 2.5, \"x\"]}", true))
          .isEqualTo(Map.of("a", List.of(1L, 2.5, "x")));
      assertThat(synapse.call("not json", true)).isEqualTo("not json");
      assertThat(synapse.call("{\"a\": 1}", false)).isEqualTo("{\"a\": 1}");
    }
  }
}
