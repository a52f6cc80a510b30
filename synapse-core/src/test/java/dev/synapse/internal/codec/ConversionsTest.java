package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SynapseException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversionsTest {
  @Test
  void convertsWithoutLoss() {
    assertThat(Conversions.convert(5L, Integer.class)).isEqualTo(5);
    assertThat(Conversions.convert(5L, int.class)).isEqualTo(5);
    assertThat(Conversions.convert(5L, Double.class)).isEqualTo(5.0);
    assertThat(Conversions.convert(5L, BigInteger.class)).isEqualTo(BigInteger.valueOf(5));
    assertThat(Conversions.convert(Map.of("a", 1L), Map.class)).isEqualTo(Map.of("a", 1L));
    assertThat(Conversions.convert(List.of(), List.class)).isEmpty();
    assertThat(Conversions.convert(null, String.class)).isNull();
  }

  @Test
  void refusesLossAndMismatch() {
    assertThatThrownBy(() -> Conversions.convert(1L << 40, Integer.class))
        .isInstanceOf(SynapseException.class)
        .hasMessage("Cannot convert the answer of type Long (1099511627776) to java.lang.Integer");
    assertThatThrownBy(() -> Conversions.convert((1L << 53) + 1, Double.class)).isInstanceOf(SynapseException.class);
    assertThatThrownBy(() -> Conversions.convert(1.5, Long.class)).isInstanceOf(SynapseException.class);
    assertThatThrownBy(() -> Conversions.convert("7", Long.class))
        .hasMessage("Cannot convert the answer of type String (7) to java.lang.Long");
    assertThatThrownBy(() -> Conversions.convert(Map.of(), List.class))
        .hasMessage("Cannot convert the answer of type Map to java.util.List");
    assertThatThrownBy(() -> Conversions.convert(null, int.class))
        .hasMessage("Cannot convert the answer null to int");
  }
}
