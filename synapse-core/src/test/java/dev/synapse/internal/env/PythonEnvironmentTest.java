package dev.synapse.internal.env;

import static dev.synapse.internal.env.Modules.module;
import static dev.synapse.internal.env.Modules.offline;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.synapse.SpawnException;
import dev.synapse.SpawnPhase;
import dev.synapse.testing.TinyWheel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real venvs, real pip, offline: every wheel comes from a folder the test fills. */
@Timeout(60)
class PythonEnvironmentTest {
  @TempDir Path root;
  Path wheels;
  final RecordingRunner runner = new RecordingRunner();
  final RecordingProgress progress = new RecordingProgress();

  @BeforeEach
  void buildWheels() throws IOException {
    wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
  }

  private final Set<Long> processesBefore = Modules.childProcesses();

  @AfterEach
  void noProcessLeft() {
    Modules.assertNoChildProcessesBut(processesBefore);
  }

  @Test
  void fresh_createsVenvInstallsRequirements_andItsPythonImportsThem() throws Exception {
    Path dir = module(root, "fresh", "tinypkg==1.0\n");

    Path python = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(python).isEqualTo(dir.resolve(".venv/bin/python"));
    assertThat(Modules.run(python, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV, SpawnPhase.INSTALLING);
    assertThat(progress.lines)
        .anyMatch(line -> line.contains("Successfully installed tinypkg-1.0"));
    assertThat(progress.threads).containsOnly(Thread.currentThread());
    assertThat(dir.resolve(".venv").resolve(VenvStamp.FILE)).exists();
    assertThat(runner.venvRuns()).singleElement().asList().contains("--without-pip");
  }

  @Test
  void upToDate_runsNoProcessAtAll() throws Exception {
    Path dir = module(root, "warm", "tinypkg==1.0\n");
    PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);
    RecordingRunner second = new RecordingRunner();
    // Were pip to run again, it could not find the wheel and would fail.
    Files.delete(wheels.resolve("tinypkg-1.0-py3-none-any.whl"));

    long start = System.nanoTime();
    Path python = PythonEnvironment.prepare(offline(dir, wheels), progress, second);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(second.pipRuns()).isEmpty();
    assertThat(second.venvRuns()).isEmpty();
    assertThat(progress.phases).isEmpty();
    assertThat(millis).as("warm prepare in ms").isLessThan(1000);
    assertThat(Modules.run(python, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
  }

  @Test
  void changedRequirements_recreateTheVenv_soARemovedOneDoesNotLinger() throws Exception {
    TinyWheel.build(wheels, "otherpkg", "2.0");
    Path dir = module(root, "changed", "tinypkg==1.0\notherpkg==2.0\n");
    PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);
    Files.writeString(dir.resolve("requirements.txt"), "tinypkg==1.0\n");

    Path python = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV, SpawnPhase.INSTALLING);
    assertThat(progress.notices)
        .singleElement(as(STRING))
        .startsWith("Deleting and re-creating the virtual environment " + dir.resolve(".venv"))
        .contains("the requirements (or a file they include) or the pip arguments changed");
    assertThat(runner.venvRuns()).hasSize(2);
    assertThat(Modules.run(python, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
    assertThat(Modules.tryRun(python, "import otherpkg").output())
        .contains("No module named 'otherpkg'");
  }

  @Test
  void requirementNotFound_failsWithPipsOutput_leavesNoStamp_andTheNextAttemptRetries()
      throws Exception {
    Path dir = module(root, "missing", "missingpkg==0.1\n");

    assertThatThrownBy(() -> PythonEnvironment.prepare(offline(dir, wheels), progress, runner))
        .isInstanceOfSatisfying(
            SpawnException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "pip could not install "
                          + dir.resolve("requirements.txt")
                          + " into "
                          + dir.resolve(".venv")
                          + " (exit code 1)");
              assertThat(e.exitCode()).hasValue(1);
              assertThat(e.stderrTail())
                  .contains("No matching distribution found for missingpkg==0.1");
            });
    assertThat(VenvStamp.read(dir.resolve(".venv"))).isEmpty();
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV);

    TinyWheel.build(wheels, "missingpkg", "0.1");
    Path python = PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);

    assertThat(Modules.run(python, "import missingpkg; print(missingpkg.VALUE)"))
        .isEqualTo("missingpkg-0.1");
    assertThat(runner.pipRuns()).hasSize(2);
    assertThat(runner.venvRuns()).as("an unfinished venv is re-created, not adopted").hasSize(2);
  }

  @Test
  void deletedVenvInterpreter_isRecreatedNotRun() throws Exception {
    Path dir = module(root, "deleted", "tinypkg\n");
    Path python = PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);
    Files.delete(python);

    Path again = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(again).isEqualTo(python);
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV, SpawnPhase.INSTALLING);
    assertThat(Modules.run(again, "import tinypkg; print(tinypkg.VALUE)")).isEqualTo("tinypkg-1.0");
  }

  @Test
  void movedBaseInterpreter_isDetectedAndTheVenvRecreated() throws Exception {
    Path real = BaseInterpreter.identify(InterpreterLocator.locate(null), runner).executable();
    Path before = Files.createDirectories(root.resolve("python-before"));
    Files.createSymbolicLink(before.resolve("python3"), real);
    Path dir = module(root, "moved", "# no requirements: this is about the interpreter\n");
    EnvironmentSpec spec = offline(dir, wheels);
    Path python =
        PythonEnvironment.prepare(
            spec.withBasePython(before.resolve("python3").toString()),
            EnvironmentProgress.NONE,
            runner);
    Path after = Files.move(before, root.resolve("python-after"));
    assertThat(Files.isExecutable(python))
        .as("the venv's interpreter, now a dangling link, is runnable")
        .isFalse();

    Path again =
        PythonEnvironment.prepare(
            spec.withBasePython(after.resolve("python3").toString()), progress, runner);

    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV);
    assertThat(Modules.run(again, "import sys; print(sys.prefix)"))
        .isEqualTo(dir.resolve(".venv").toString());
    assertThat(Files.readSymbolicLink(dir.resolve(".venv/bin/python3")))
        .isEqualTo(after.resolve("python3"));
  }

  @Test
  void baseWithoutPip_givesTheVenvAPipOfItsOwn() throws Exception {
    // A venv made without pip is a Python that cannot import pip: a stand-in for a base without it.
    Path pipless =
        PythonEnvironment.prepare(offline(module(root, "pipless", ""), wheels), progress, runner);
    Path dir = module(root, "ownpip", "tinypkg\n");

    Path python =
        PythonEnvironment.prepare(
            offline(dir, wheels).withBasePython(pipless.toString()), progress, runner);

    assertThat(runner.venvRuns()).last().asList().doesNotContain("--without-pip");
    assertThat(runner.pipRuns())
        .singleElement()
        .asList()
        .startsWith(python.toString(), "-m", "pip", "install");
    assertThat(Modules.run(python, "import pip, tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
    assertThat(VenvStamp.read(dir.resolve(".venv")))
        .hasValueSatisfying(stamp -> assertThat(stamp.venvPip()).isTrue());
  }

  @Test
  void missingRequirementsFile_isAnErrorNamingIt() throws Exception {
    Path dir = module(root, "norequirements", null);

    assertThatThrownBy(() -> PythonEnvironment.prepare(offline(dir, wheels), progress, runner))
        .isInstanceOf(SpawnException.class)
        .hasMessage(
            "The module has no requirements file: "
                + dir.resolve("requirements.txt")
                + " does not exist (list the module's dependencies in it; it may be empty)");
    assertThat(dir.resolve(".venv")).doesNotExist();
  }

  @Test
  void missingRequirementsFile_whenNotRequired_createsTheVenvWithoutPip() throws Exception {
    Path dir = module(root, "optional", null);

    Path python =
        PythonEnvironment.prepare(
            offline(dir, wheels).withRequirementsRequired(false), progress, runner);

    assertThat(Modules.run(python, "import sys; print(sys.prefix != sys.base_prefix)"))
        .isEqualTo("True");
    assertThat(runner.pipRuns()).isEmpty();
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV);
  }

  @Test
  void requirementsWithoutRequirementLines_runNoPip() throws Exception {
    Path dir = module(root, "comments", "# nothing yet\n\n   # still nothing\n");

    PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(runner.pipRuns()).isEmpty();
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV);
  }

  @Test
  void venvDirOption_relativeToTheModule() throws Exception {
    Path dir = module(root, "custom", "");

    Path python =
        PythonEnvironment.prepare(
            offline(dir, wheels).withVenvDir(Path.of("env")), progress, runner);

    assertThat(python).isEqualTo(dir.resolve("env/bin/python"));
    assertThat(dir.resolve(".venv")).doesNotExist();
  }

  @Test
  void venvDirThatIsNotAVenv_isRefusedAndLeftAlone() throws Exception {
    Path dir = module(root, "notavenv", "tinypkg\n");
    Path precious =
        Files.writeString(Files.createDirectories(dir.resolve("data")).resolve("keep.txt"), "mine");

    EnvironmentSpec spec = offline(dir, wheels).withVenvDir(Path.of("data"));

    assertThatThrownBy(() -> PythonEnvironment.prepare(spec, progress, runner))
        .isInstanceOf(SpawnException.class)
        .hasMessage(
            "Refusing to use "
                + dir.resolve("data")
                + " as the virtual environment: it is a directory with"
                + " files but no pyvenv.cfg, so it is not a venv; delete it or choose another venv location");
    assertThat(precious).hasContent("mine");
  }

  @Test
  void interpreterAsIs_runsNoProcessAndMakesNoVenv() throws Exception {
    Path dir = module(root, "asis", "tinypkg\n");

    Path python =
        PythonEnvironment.prepare(
            offline(dir, wheels).withUseInterpreterAsIs(true), progress, runner);

    assertThat(python).isEqualTo(InterpreterLocator.locate(null));
    assertThat(dir.resolve(".venv")).doesNotExist();
    assertThat(runner.pipRuns()).isEmpty();
    assertThat(runner.venvRuns()).isEmpty();
  }

  @Test
  void unknownInterpreter_isAnErrorNamingItAndThePath() throws Exception {
    Path dir = module(root, "nopython", "tinypkg\n");

    assertThatThrownBy(
            () ->
                PythonEnvironment.prepare(
                    offline(dir, wheels).withBasePython("python-that-is-not-there"),
                    progress,
                    runner))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith(
            "The Python interpreter 'python-that-is-not-there' is not on PATH (");
  }

  @Test
  void pipPastTheInstallTimeout_isKilledWithItsChildren() throws Exception {
    Path dir = module(root, "slow", "tinypkg\n");
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      EnvironmentSpec spec = silentIndex(dir, silent).withInstallTimeout(Duration.ofSeconds(3));
      long start = System.nanoTime();

      assertThatThrownBy(() -> PythonEnvironment.prepare(spec, progress, runner))
          .isInstanceOfSatisfying(
              SpawnException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith(
                        "pip could not install "
                            + dir.resolve("requirements.txt")
                            + " into "
                            + dir.resolve(".venv")
                            + ": not finished within the install timeout of 3 s;"
                            + " it was killed with its child processes");
                assertThat(e.exitCode()).isEmpty();
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }
    assertThat(VenvStamp.read(dir.resolve(".venv"))).isEmpty();
  }

  @Test
  void interruptDuringInstall_killsPipAndKeepsTheFlag() throws Exception {
    Path dir = module(root, "interrupted", "tinypkg\n");
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      EnvironmentSpec spec = silentIndex(dir, silent);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicReference<Boolean> flag = new AtomicReference<>();
      Thread preparer =
          new Thread(
              () -> {
                try {
                  PythonEnvironment.prepare(spec, EnvironmentProgress.NONE, runner);
                } catch (Throwable e) {
                  failure.set(e);
                }
                flag.set(Thread.currentThread().isInterrupted());
              });
      preparer.start();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !runner.pipRuns().isEmpty());
      preparer.interrupt();
      preparer.join(10_000);

      assertThat(failure.get())
          .isInstanceOf(SpawnException.class)
          .hasMessageStartingWith("Interrupted while running '");
      assertThat(flag.get()).isTrue();
    }
  }

  /** pip pointed at an index that accepts connections and never answers: it waits until killed. */
  private static EnvironmentSpec silentIndex(Path dir, ServerSocket silent) {
    String url = "http://127.0.0.1:" + silent.getLocalPort() + "/simple/";
    return EnvironmentSpec.of(dir)
        .withPipArguments(List.of("--isolated", "--index-url", url))
        .withEnvironment(Map.of("PIP_CONFIG_FILE", "/dev/null"));
  }

  @Test
  void progressListenerThatThrows_doesNotBreakTheInstall() throws Exception {
    Path dir = module(root, "badlistener", "tinypkg\n");
    EnvironmentProgress throwing =
        new EnvironmentProgress() {
          @Override
          public void phase(SpawnPhase phase, long elapsedMillis) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void installOutput(String line) {
            throw new IllegalStateException("listener bug");
          }
        };

    Path python = PythonEnvironment.prepare(offline(dir, wheels), throwing, runner);

    assertThat(Modules.run(python, "import tinypkg")).isEmpty();
  }

  @Test
  void systemSitePackages_seeDebiansPythonPackages_andTurningThemOffRecreates() throws Exception {
    assumeThat(Modules.SYSTEM_PYTHON).as("Debian's /usr/bin/python3").isExecutable();
    assertThat(Modules.tryRun(Modules.SYSTEM_PYTHON, "import msgpack").exitCode())
        .as("/usr/bin/python3 imports msgpack: install the Debian package python3-msgpack")
        .isZero();
    Path dir = module(root, "sitepackages", "tinypkg\n");
    EnvironmentSpec spec = offline(dir, wheels).withBasePython(Modules.SYSTEM_PYTHON.toString());

    Path python = PythonEnvironment.prepare(spec.withSystemSitePackages(true), progress, runner);
    assertThat(Modules.run(python, "import msgpack, tinypkg; print(msgpack.__file__)"))
        .startsWith("/usr/lib/python3/dist-packages/msgpack");

    Path isolated = PythonEnvironment.prepare(spec.withSystemSitePackages(false), progress, runner);
    assertThat(isolated).isEqualTo(python);
    assertThat(Modules.tryRun(isolated, "import msgpack").output())
        .contains("No module named 'msgpack'");
    assertThat(Modules.run(isolated, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
    assertThat(runner.venvRuns()).hasSize(2);
  }
}
