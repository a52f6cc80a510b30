package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(NoLeaks.class)
@Timeout(120)
class PayloadTest {
  private static final int SIXTY_FOUR_MIB = 64 * 1024 * 1024;

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void sixtyFourMebibytesEachWay(String python) {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("toolbox"), "main");
      byte[] payload = new byte[SIXTY_FOUR_MIB];
      Arrays.fill(payload, (byte) 0x5A);
      payload[SIXTY_FOUR_MIB - 1] = 1;

      assertThat(synapse.invoke("length", payload)).isEqualTo((long) SIXTY_FOUR_MIB);

      byte[] answer = synapse.invoke("bytes_of", SIXTY_FOUR_MIB, byte[].class);
      assertThat(answer).hasSize(SIXTY_FOUR_MIB);

      byte[] echoed = synapse.invoke("echo", payload, byte[].class);
      assertThat(Arrays.equals(echoed, payload)).isTrue();
    }
  }
}
