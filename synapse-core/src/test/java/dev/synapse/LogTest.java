package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RecordingListener;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

@ExtendWith(NoLeaks.class)
@Timeout(60)
class LogTest {
  @Test
  void everythingWrittenToStdoutOrStderr_becomesALogLine_andNeverReachesTheFrames() {
    RecordingListener listener = new RecordingListener();
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).listener(listener).build()) {
      synapse.spawn(module("toolbox"), "main");

      assertThat(synapse.invoke("chatter", "x")).isEqualTo("chatted");
      assertThat(synapse.invoke("echo", 1)).isEqualTo(1L);

      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(listener.texts())
                      .contains(
                          "printed x",
                          "written to sys.stdout",
                          "written to fd 1",
                          "from a child process",
                          "a warning about x"));
      LogLine warning =
          listener.logs.stream()
              .filter(l -> l.text().equals("a warning about x"))
              .findFirst()
              .orElseThrow();
      assertThat(warning.level()).isEqualTo(Level.WARN);
      assertThat(warning.logger()).isEqualTo("toolbox");
      assertThat(warning.module()).isEqualTo("main");
      LogLine printed =
          listener.logs.stream()
              .filter(l -> l.text().equals("printed x"))
              .findFirst()
              .orElseThrow();
      assertThat(printed.level()).isEqualTo(Level.INFO);
      assertThat(printed.logger()).isEmpty();
      assertThat(listener.texts()).doesNotContain("debug is below the default level");
    }
  }
}
