package dev.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.TinyWheel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

  @Test
  void prebuiltVenv_runsAsItIs_withNoVenvMadeAndNothingInstalled() throws Exception {
    Path wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
    Path prebuilt = root.resolve("image-venv");
    run("python3", "-m", "venv", prebuilt.toString());
    run(
        prebuilt.resolve("bin/python").toString(),
        "-m",
        "pip",
        "install",
        "--isolated",
        "--no-index",
        "--find-links",
        wheels.toString(),
        "tinypkg==1.0");
    Path dir =
        module(
            "# ignored: the prebuilt environment is used as it is\nmissingpkg\n",
            "import sys, pysynapse, tinypkg\npysynapse.serve(lambda p: [tinypkg.VALUE, sys.prefix])\n");

    try (Synapse synapse =
        Synapse.builder()
            .python(prebuilt.toString())
            .useInterpreterAsIs(true)
            .listener(listener)
            .build()) {
      synapse.spawn(dir, "main");
      List<?> answer = (List<?>) synapse.call(null);

      assertThat(answer.get(0)).isEqualTo("tinypkg-1.0");
      assertThat(answer.get(1)).isEqualTo(prebuilt.toString());
    }
    assertThat(dir.resolve(".venv")).doesNotExist();
    assertThat(phases).containsExactly("STARTING", "READY");
  }

  @Test
  void python37_failsTheSpawnNamingTheMinimumVersion() throws IOException {
    Path old = Path.of("/root/.pyenv/versions/3.7.16/bin/python3.7");
    assertThat(old).as("pyenv's Python 3.7").isExecutable();
    Path dir = module("", "import pysynapse\npysynapse.serve(lambda p: p)\n");

    try (Synapse synapse = Synapse.builder().python(old.toString()).build()) {
      assertThatThrownBy(() -> synapse.spawn(dir, "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining("is Python 3.7.16; Synapse needs Python 3.8 or later");
      assertThat(synapse.isRunning()).isFalse();
    }
  }

  /** Runs a command with pip kept off this machine's configuration; fails unless it exits 0. */
  private static void run(String... argv) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().put("PIP_CONFIG_FILE", "/dev/null");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", List.of(argv)).isTrue();
    assertThat(process.exitValue()).as("exit code of %s: %s", List.of(argv), output).isZero();
  }
}
