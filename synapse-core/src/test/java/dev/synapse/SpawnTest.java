package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.launch.PysynapseHome;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
@Timeout(60)
class SpawnTest {
  private static Synapse synapse() {
    return Fixtures.builder(PLAIN_PYTHON).build();
  }

  @Test
  void callBeforeSpawn_isIllegalState() {
    Synapse synapse = synapse();

    assertThatThrownBy(() -> synapse.call("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot send inputs to instance before spawning it.");
    assertThatThrownBy(() -> synapse.callAsync("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void callAfterDispose_isIllegalState() {
    try (Synapse synapse = synapse()) {
      synapse.spawn(module("echo"), "main");
      synapse.dispose();

      assertThatThrownBy(() -> synapse.call("x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot send inputs to instance before spawning it.");
    }
  }

  @Test
  void missingDirectory_namesThePath() {
    Path missing = Path.of("no", "such", "dir").toAbsolutePath();
    try (Synapse synapse = synapse()) {
      assertThatThrownBy(() -> synapse.spawn(missing, "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessage("The module directory does not exist: " + missing);
    }
  }

  @Test
  void missingEntrypoint_namesThePath() {
    try (Synapse synapse = synapse()) {
      assertThatThrownBy(() -> synapse.spawn(module("echo"), "nope"))
          .isInstanceOf(SpawnException.class)
          .hasMessage("The entrypoint does not exist: " + module("echo").resolve("nope.py"));
    }
  }

  @Test
  void blankEntrypoint_isIllegalArgument() {
    try (Synapse synapse = synapse()) {
      assertThatThrownBy(() -> synapse.spawn(module("echo"), " "))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void entrypointMayCarryItsExtension() {
    try (Synapse synapse = synapse()) {
      synapse.spawn(module("echo").toString(), "main.py");
      assertThat(synapse.call("hi")).isEqualTo("hi");
    }
  }

  @Test
  void importError_failsSpawnWithTheTraceback() {
    try (Synapse synapse = synapse()) {
      assertThatThrownBy(() -> synapse.spawn(module("import_error"), "main"))
          .isInstanceOfSatisfying(
              SpawnException.class,
              e -> {
                assertThat(e.exitCode()).hasValue(1);
                assertThat(e.stderrTail())
                    .contains("ModuleNotFoundError", "a_module_that_does_not_exist");
                assertThat(e.getMessage()).contains("exited with code 1 before it was ready");
              });
      assertThat(synapse.isRunning()).isFalse();
    }
  }

  @Test
  void moduleThatExitsWithoutServing_failsSpawn() {
    try (Synapse synapse = synapse()) {
      assertThatThrownBy(() -> synapse.spawn(module("exits_early"), "main"))
          .isInstanceOfSatisfying(
              SpawnException.class,
              e -> {
                assertThat(e.exitCode()).hasValue(0);
                assertThat(e.stderrTail()).contains("nothing to serve here");
              });
    }
  }

  @Test
  void slowStart_failsAfterTheStartupTimeoutAndKillsTheWorker() {
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).startupTimeout(Duration.ofMillis(700)).build()) {
      assertThatThrownBy(() -> synapse.spawn(module("slow_start"), "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining("was not ready within 700 ms");
    }
  }

  @Test
  void unknownInterpreter_failsSpawnNamingIt() {
    try (Synapse synapse = Fixtures.builder("/no/such/python3").build()) {
      assertThatThrownBy(() -> synapse.spawn(module("echo"), "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessage("The Python interpreter does not exist: /no/such/python3");
    }
  }

  @Test
  void anInterpreterThatCannotBeStarted_failsSpawn_andLeavesNoThreadBehind(@TempDir Path dir)
      throws IOException {
    // Answers the check of what it is, then is no longer executable when the worker starts.
    Path python = dir.resolve("python3");
    Files.writeString(python, "#!/bin/sh\nchmod a-x \"$0\"\nexec /usr/bin/python3 \"$@\"\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));
    try (Synapse synapse = Fixtures.builder(python.toString()).useInterpreterAsIs(true).build()) {
      assertThatThrownBy(() -> synapse.spawn(module("echo"), "main"))
          .isInstanceOf(SpawnException.class)
          .hasMessageStartingWith("Cannot start the Python interpreter '" + python + "'");
    }
  }

  @Test
  void spawnWhileRunning_isANoOp_andSpawnAfterDispose_startsAFreshWorker() {
    try (Synapse synapse = synapse()) {
      synapse.spawn(module("echo"), "main");
      long first = synapse.workerInfo().orElseThrow().pid();
      synapse.spawn(module("echo"), "main");
      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(first);

      synapse.dispose();
      synapse.dispose();
      assertThat(synapse.isRunning()).isFalse();

      synapse.spawn(module("echo"), "main");
      assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(first);
      assertThat(synapse.call("again")).isEqualTo("again");
    }
  }

  @Test
  void spawnOfAnotherModuleWhileRunning_isIllegalStateNamingBoth_andTheSameModuleAgainIsANoOp() {
    try (Synapse synapse = synapse();
        SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(1).build()) {
      synapse.spawn(module("echo"), "main");
      pool.spawn(module("echo"), "main");
      long pid = synapse.workerInfo().orElseThrow().pid();

      synapse.spawn(module("echo"), "main.py");
      pool.spawn(module("echo").resolve("..").resolve("echo"), "main");

      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(pid);
      for (Runnable other :
          List.<Runnable>of(
              () -> synapse.spawn(module("toolbox"), "main"),
              () -> pool.spawn(module("toolbox"), "main"))) {
        assertThatThrownBy(other::run)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(module("echo").resolve("main.py").toString())
            .hasMessageContaining(module("toolbox").resolve("main.py").toString());
      }
      assertThat(synapse.call("still echo")).isEqualTo("still echo");
    }
  }

  @Test
  void workersGetGlibcMallocTuning_unlessTheEnvironmentSetsItsOwn() {
    try (Synapse synapse = synapse()) {
      synapse.spawn(module("toolbox"), "main");
      assertThat(synapse.invoke("env", "MALLOC_MMAP_THRESHOLD_")).isEqualTo("1073741824");
      assertThat(synapse.invoke("env", "MALLOC_TRIM_THRESHOLD_")).isEqualTo("1073741824");
    }
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).environment("MALLOC_TRIM_THRESHOLD_", "131072").build()) {
      synapse.spawn(module("toolbox"), "main");
      assertThat(synapse.invoke("env", "MALLOC_MMAP_THRESHOLD_")).isEqualTo("1073741824");
      assertThat(synapse.invoke("env", "MALLOC_TRIM_THRESHOLD_")).isEqualTo("131072");
    }
  }

  @Test
  void aWorkerLeavesTheBytecodeOfPysynapseAndOfItsModuleBehind_evenUnderPythonDontWriteBytecode()
      throws Exception {
    Path cache = PysynapseHome.directory().resolve("pysynapse/__pycache__");
    if (Files.isDirectory(cache)) {
      try (Stream<Path> files = Files.list(cache)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.delete(file);
        }
      }
    }
    try (Synapse synapse =
        Fixtures.builder(PLAIN_PYTHON).environment("PYTHONDONTWRITEBYTECODE", "1").build()) {
      synapse.spawn(module("echo"), "main");
      assertThat(synapse.call("x")).isEqualTo("x");
    }

    assertThat(cache).isDirectoryContaining("glob:**/_server.*.pyc");
    assertThat(cache).isDirectoryContaining("glob:**/_codec.*.pyc");
    assertThat(cache).isDirectoryContaining("glob:**/script-*.pyc"); // the module's main.py
  }

  @Test
  void builderRejectsBadValuesAtTheSetter() {
    assertThatThrownBy(() -> Synapse.builder().startupTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("startupTimeout must be positive, was PT0S");
    assertThatThrownBy(() -> Synapse.builder().callTimeout(Duration.ofSeconds(-1)))
        .hasMessage("callTimeout cannot be negative, was PT-1S");
    assertThatThrownBy(() -> Synapse.builder().maxFrameBytes(10))
        .hasMessage("maxFrameBytes cannot be less than 1024, was 10");
    assertThatThrownBy(() -> Fixtures.builder("")).hasMessage("python cannot be empty");
    assertThatThrownBy(
            () -> RestartPolicy.onCrash(0, Duration.ofMinutes(1), Duration.ZERO, Duration.ZERO))
        .hasMessage("maxRestarts cannot be less than 1, was 0");
  }
}
