package dev.synapse.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launch program the host passes to {@code python -c} and the bootstrap's own copy agree. */
@Timeout(10)
class WorkerLaunchTest {
  @Test
  void launchCode_isTheOneTheBootstrapDocumentsAndItsTestsUse() throws IOException {
    String bootstrap;
    try (InputStream in = WorkerLaunch.class.getResourceAsStream("pysynapse/_bootstrap.py")) {
      assertThat(in).as("the bundled _bootstrap.py").isNotNull();
      bootstrap = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // The Python constant is split into adjacent string literals, one per line.
    String joined = bootstrap.replaceAll("\"\\s*\\n\\s*\"", "");

    assertThat(joined).contains("LAUNCH_CODE = (\n    \"" + WorkerLaunch.LAUNCH_CODE + "\"\n)");
  }
}
