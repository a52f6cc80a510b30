package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.CelsiusExtension;
import dev.synapse.testing.CelsiusExtension.Celsius;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link ValueExtension} found on the class path ({@link CelsiusExtension}) encodes its type
 * anywhere in an input and decodes typed answers, through real workers with both codecs.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ValueExtensionTest {
  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void anExtensionTypeTravelsAsItsExtValue_andTypedCallsDecodeIt(String python) {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("echo"), "main");

      Object untyped = synapse.call(new Celsius(21.5));
      assertThat(untyped)
          .isEqualTo(
              new ExtensionValue(
                  CelsiusExtension.CODE, ByteBuffer.allocate(8).putDouble(21.5).array()));
      assertThat(synapse.call(new Celsius(-40), Celsius.class)).isEqualTo(new Celsius(-40));

      Map<?, ?> nested = (Map<?, ?>) synapse.call(Map.of("today", List.of(new Celsius(3))));
      Object inside = ((List<?>) nested.get("today")).get(0);
      assertThat(inside).isInstanceOf(ExtensionValue.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON})
  void anExtensionThatRefusesAValue_failsTheCallWithItsReasonAndPath(String python) {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("echo"), "main");
      assertThatThrownBy(() -> synapse.call(Map.of("t", new Celsius(Double.NaN))))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("NaN is no temperature")
          .hasMessageContaining("$.t");
      assertThatThrownBy(() -> synapse.call(new Celsius(1), Map.class))
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("Cannot convert the answer of type ExtensionValue");
      assertThat(synapse.call("still serving")).isEqualTo("still serving");
    }
  }
}
