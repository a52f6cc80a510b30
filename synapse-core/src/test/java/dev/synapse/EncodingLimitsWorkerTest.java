package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs the worker could not decode are refused before they are sent, with the path to the
 * offending part, and the worker serves the next call; what lies just inside the limits arrives.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class EncodingLimitsWorkerTest {
  /** Long enough for any answer here; a refusal must come long before it. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static Object nestedLists(int depth) {
    Object value = 0L;
    for (int i = 0; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void refusedInputsFailAtOnceAndTheWorkerServesTheNextCall(String python) {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    Map<Object, Object> listKey = new LinkedHashMap<>();
    listKey.put(List.of(1), "v");
    Map<String, Object> refused = new LinkedHashMap<>();
    refused.put("$.rows[1]{key 0}", Map.of("rows", List.of(0, listKey)));
    refused.put("$.when", Map.of("when", Instant.MAX));
    refused.put("nested deeper than 512 levels", nestedLists(513));
    refused.put("contains itself: $[0] is the same object as $", cyclic);
    refused.put("code -5", List.of(new ExtensionValue((byte) -5, new byte[] {1})));
    refused.put(
        "lone UTF-16 surrogate (\\uD800 at index 1 of 2 chars), which has no UTF-8 form at $[0].name",
        List.of(Map.of("name", "a\uD800")));

    try (Synapse synapse = Fixtures.builder(python).callTimeout(PATIENCE).build()) {
      synapse.spawn(module("toolbox"), "main");
      for (Map.Entry<String, Object> entry : refused.entrySet()) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> synapse.invoke("echo", entry.getValue()))
            .isInstanceOf(EncodingException.class)
            .hasMessageContaining(entry.getKey());
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));

        assertThat(synapse.invoke("echo", "next")).isEqualTo("next");
      }
      assertThat(synapse.invokeAsync("echo", cyclic))
          .failsWithin(PATIENCE)
          .withThrowableThat()
          .havingRootCause()
          .isInstanceOf(EncodingException.class);
      assertThat(synapse.invoke("echo", "after async")).isEqualTo("after async");
    }
  }

  @Test
  void aPoolGivesBackTheSlotOfARefusedCall() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    try (SynapsePool pool =
        Fixtures.pool(PLAIN_PYTHON).callTimeout(PATIENCE).size(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("toolbox"), "main");
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> pool.invoke("echo", cyclic)).isInstanceOf(EncodingException.class);
        assertThatThrownBy(() -> pool.invoke("echo", nestedLists(100_000)))
            .isInstanceOf(EncodingException.class);
      }
      assertThat(pool.invoke("echo", "served")).isEqualTo("served");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void valuesAtTheLimitsArrive(String python) {
    Map<Object, Object> keys = new LinkedHashMap<>();
    keys.put(null, "null");
    keys.put(7L, "int");
    keys.put(2.5, "float");
    keys.put(Instant.parse("2020-01-01T00:00:00Z"), "instant");
    Instant first = Instant.parse("0001-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");

    try (Synapse synapse = Fixtures.builder(python).callTimeout(PATIENCE).build()) {
      synapse.spawn(module("toolbox"), "main");

      assertThat(synapse.invoke("echo", keys)).isEqualTo(keys);
      assertThat(synapse.invoke("echo", List.of(first, last)))
          .isEqualTo(List.of(first, Instant.parse("9999-12-31T23:59:59.999999Z")));
      // the worker decodes it (answering it in an envelope is the worker's depth limit to keep)
      assertThat(synapse.invoke("length", nestedLists(512))).isEqualTo(1L);
      assertThat(synapse.invoke("echo", "pair \uD83D\uDE00")).isEqualTo("pair \uD83D\uDE00");
    }
  }
}
