package dev.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.TinyWheel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * spawn() with its default environment handling: a venv per module, requirements installed by pip.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class VenvSpawnTest {
  @TempDir Path root;

  private final List<String> phases = new CopyOnWriteArrayList<>();
  private final List<String> pipLines = new CopyOnWriteArrayList<>();
  private final SynapseListener listener =
      new SynapseListener() {
        @Override
        public void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {
          phases.add(phase.name());
        }

        @Override
        public void onInstallOutput(String module, String line) {
          pipLines.add(line);
        }
      };

  private Synapse.Builder offline(Path wheels) {
    return Synapse.builder()
        .python(Fixtures.PLAIN_PYTHON)
        .environment("PIP_CONFIG_FILE", "/dev/null")
        .pipArguments("--isolated", "--no-index", "--find-links", wheels.toString())
        .listener(listener);
  }

  private Path module(String requirements, String code) throws IOException {
    Path dir = Files.createDirectories(root.resolve("module"));
    Files.writeString(dir.resolve("requirements.txt"), requirements);
    Files.writeString(dir.resolve("main.py"), code);
    return dir;
  }

  @Test
  void firstSpawnCreatesTheVenvAndInstalls_theSecondReusesIt() throws IOException {
    Path wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
    Path dir =
        module(
            "tinypkg==1.0\n",
            "import sys, pysynapse, tinypkg\npysynapse.serve(lambda p: [tinypkg.VALUE, sys.prefix])\n");

    try (Synapse synapse = offline(wheels).build()) {
      synapse.spawn(dir, "main");
      List<?> answer = (List<?>) synapse.call(null);
      assertThat(answer.get(0)).isEqualTo("tinypkg-1.0");
      assertThat(Path.of((String) answer.get(1)).toRealPath())
          .isEqualTo(dir.resolve(".venv").toRealPath());
    }
    assertThat(phases).containsExactly("CREATING_VENV", "INSTALLING", "STARTING", "READY");
    assertThat(pipLines).anyMatch(line -> line.contains("tinypkg"));

    phases.clear();
    pipLines.clear();
    try (Synapse synapse = offline(wheels).build()) {
      synapse.spawn(dir, "main");
      assertThat(((List<?>) synapse.call(null)).get(0)).isEqualTo("tinypkg-1.0");
    }
    assertThat(phases).containsExactly("STARTING", "READY");
    assertThat(pipLines).isEmpty();
  }

  @Test
  void missingRequirementsFile_isASpawnExceptionNamingIt() throws IOException {
    Path dir = Files.createDirectories(root.resolve("bare"));
    Files.writeString(dir.resolve("main.py"), "import pysynapse\npysynapse.serve(lambda p: p)\n");

    try (Synapse synapse = Synapse.builder().python(Fixtures.PLAIN_PYTHON).build()) {
      assertThatThrownBy(() -> synapse.spawn(dir, "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining(dir.resolve("requirements.txt").toString());
    }
  }

  @Test
  void seedReadmeModule_runsInAVenvThatSeesDebiansMsgpack() throws IOException {
    Path dir = Files.createDirectories(root.resolve("seed"));
    Files.copy(Fixtures.module("seed").resolve("main.py"), dir.resolve("main.py"));
    Files.writeString(
        dir.resolve("requirements.txt"), "# msgpack comes from the system site-packages\n");

    try (Synapse synapse =
        Synapse.builder()
            .python(Fixtures.DEBIAN_PYTHON)
            .systemSitePackages(true)
            .listener(listener)
            .build()) {
      synapse.spawn(dir, "main");

      assertThat(synapse.call(Map.of("foo", "bar")))
          .isEqualTo(Map.of("data", "Processing result from py of payload: {'foo': 'bar'}"));
      assertThat(synapse.workerInfo().orElseThrow().seedProtocol()).isTrue();
    }
    assertThat(Files.exists(dir.resolve(".venv").resolve("pyvenv.cfg"))).isTrue();
  }
}
