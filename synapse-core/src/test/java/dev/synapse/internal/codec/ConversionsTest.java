package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.NDArray;
import dev.synapse.SynapseException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversionsTest {
  record Point(int x, int y) {}

  record Reading(String sensor, Instant at, byte[] raw, List<Point> path) {}

  @Test
  void plainConversions() {
    assertThat(Conversions.convert(5L, Integer.class)).isEqualTo(5);
    assertThat(Conversions.convert(5L, int.class)).isEqualTo(5);
    assertThat(Conversions.convert(5L, Double.class)).isEqualTo(5.0);
    assertThat(Conversions.convert(5L, BigInteger.class)).isEqualTo(BigInteger.valueOf(5));
    assertThat(Conversions.convert(Map.of("a", 1L), Map.class)).isEqualTo(Map.of("a", 1L));
    assertThat(Conversions.convert(List.of(), List.class)).isEmpty();
    assertThat(Conversions.convert(null, String.class)).isNull();
  }

  @Test
  void refusesLossAndCoercion() {
    assertThatThrownBy(() -> Conversions.convert(1L << 40, Integer.class))
        .isInstanceOf(SynapseException.class)
        .hasMessageStartingWith(
            "Cannot convert the answer of type Long (1099511627776) to java.lang.Integer: ");
    assertThatThrownBy(() -> Conversions.convert(1.5, Long.class))
        .isInstanceOf(SynapseException.class);
    assertThatThrownBy(() -> Conversions.convert("7", Long.class))
        .hasMessageStartingWith("Cannot convert the answer of type String (7) to java.lang.Long: ");
    assertThatThrownBy(() -> Conversions.convert(Map.of(), List.class))
        .hasMessageStartingWith("Cannot convert the answer of type Map to java.util.List: ");
    assertThatThrownBy(() -> Conversions.convert(null, int.class))
        .hasMessage("Cannot convert the answer null to int: null has no primitive value");
  }

  @Test
  void recordsWithNestedValuesThatJsonLacks() {
    Instant at = Instant.parse("2024-01-02T03:04:05.123456789Z");
    Map<String, Object> tree =
        Map.of(
            "sensor",
            "t1",
            "at",
            at,
            "raw",
            new byte[] {1, 2},
            "path",
            List.of(Map.of("x", 1L, "y", 2L)),
            "extra",
            9L);

    Reading reading = Conversions.convert(tree, Reading.class);

    assertThat(reading.sensor()).isEqualTo("t1");
    assertThat(reading.at()).isEqualTo(at);
    assertThat(reading.raw()).containsExactly(1, 2);
    assertThat(reading.path()).containsExactly(new Point(1, 2));
  }

  record Frame(String name, NDArray data) {}

  @Test
  void arraysInsideRecords_stayArrays() {
    NDArray data = NDArray.of(new double[] {1, 2, 3, 4}, 2, 2);

    Frame frame = Conversions.convert(Map.of("name", "f", "data", data), Frame.class);

    assertThat(frame.data()).isEqualTo(data);
    assertThat(ObjectMapping.toTree(frame).get("data")).isSameAs(data);
  }

  @Test
  void mismatchNamesTheFieldAndTheType() {
    assertThatThrownBy(() -> Conversions.convert(Map.of("x", 1L), Point.class))
        .isInstanceOf(SynapseException.class)
        .hasMessageContaining("Point")
        .hasMessageContaining("'y'");
    assertThatThrownBy(() -> Conversions.convert(Map.of("x", "one", "y", 2L), Point.class))
        .hasMessageContaining("Point")
        .hasMessageContaining("\"x\"");
  }
}
