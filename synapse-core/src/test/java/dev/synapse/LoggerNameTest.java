package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.internal.launch.StderrPump;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two modules with the same entrypoint log under loggers that tell them apart. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class LoggerNameTest {
  @TempDir Path temp;

  private Path copyOfToolbox(String directoryName) throws Exception {
    Path dir = Files.createDirectories(temp.resolve(directoryName));
    Files.copy(module("toolbox").resolve("main.py"), dir.resolve("main.py"));
    return dir;
  }

  @Test
  void twoModulesWhoseEntrypointIsMain_logUnderTheirDirectorysName() throws Exception {
    Path alpha = copyOfToolbox("alpha");
    Path beta = copyOfToolbox("beta.model");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    // slf4j-simple writes to whatever System.err is when it logs.
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Synapse first = Fixtures.builder(PLAIN_PYTHON).build();
        Synapse second = Fixtures.builder(PLAIN_PYTHON).build()) {
      first.spawn(alpha, "main");
      second.spawn(beta, "main");
      first.invoke("chatter", "from alpha");
      second.invoke("chatter", "from beta");
    } finally {
      System.setErr(original);
    }

    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("WARN synapse.alpha.main - toolbox: a warning about from alpha");
    assertThat(log).contains("WARN synapse.beta_model.main - toolbox: a warning about from beta");
  }

  @Test
  void loggerName_isDirectoryThenEntrypoint() {
    Path dir = Path.of("/srv/models/fraud model");
    assertThat(StderrPump.loggerName(dir.resolve("main.py"), "main"))
        .isEqualTo("synapse.fraud_model.main");
    assertThat(StderrPump.loggerName(dir.resolve("tools/serve.v2.py"), "tools/serve.v2"))
        .isEqualTo("synapse.fraud_model.tools.serve_v2");
    assertThat(StderrPump.loggerName(dir.resolve("main.py"), "tools/../main"))
        .isEqualTo("synapse.fraud_model.main");
  }
}
