package dev.synapse.internal.env;

import static dev.synapse.internal.env.Modules.module;
import static dev.synapse.internal.env.Modules.offline;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.synapse.SpawnException;
import dev.synapse.SpawnPhase;
import dev.synapse.testing.TinyWheel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The venv holds exactly what the requirements ask for: included files count, removed requirements
 * go, a venv made by hand is kept when healthy and replaced when not. Real venvs, pip offline.
 */
@Timeout(120)
class VenvExactnessTest {
  @TempDir Path root;
  Path wheels;
  final RecordingRunner runner = new RecordingRunner();
  final RecordingProgress progress = new RecordingProgress();
  private final Set<Long> processesBefore = Modules.childProcesses();

  @BeforeEach
  void buildWheels() throws IOException {
    wheels = root.resolve("wheels");
    TinyWheel.build(wheels, "tinypkg", "1.0");
    TinyWheel.build(wheels, "tinypkg", "2.0");
    TinyWheel.build(wheels, "otherpkg", "1.0");
  }

  @AfterEach
  void noProcessLeft() {
    Modules.assertNoChildProcessesBut(processesBefore);
  }

  @Test
  void editingAnIncludedFile_reinstalls() throws Exception {
    Path dir = module(root, "included", "-r deps/base.txt\n-c deps/pins.txt\n");
    Files.createDirectories(dir.resolve("deps"));
    Files.writeString(dir.resolve("deps/base.txt"), "tinypkg\n");
    Files.writeString(dir.resolve("deps/pins.txt"), "tinypkg==1.0\n");
    Path python = PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);
    assertThat(Modules.run(python, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");

    Files.writeString(dir.resolve("deps/pins.txt"), "tinypkg==2.0\n");
    PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV, SpawnPhase.INSTALLING);
    assertThat(Modules.run(python, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-2.0");
    int pipRuns = runner.pipRuns().size();
    PythonEnvironment.prepare(offline(dir, wheels), EnvironmentProgress.NONE, runner);
    assertThat(runner.pipRuns()).as("unchanged includes: up to date").hasSize(pipRuns);
  }

  @Test
  void includeOutsideTheModule_isRefusedBeforeAnythingIsMade() throws Exception {
    Files.writeString(root.resolve("shared.txt"), "tinypkg\n");
    Path dir = module(root, "outside", "otherpkg\n-r ../shared.txt\n");

    assertThatThrownBy(() -> PythonEnvironment.prepare(offline(dir, wheels), progress, runner))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith(
            "requirements.txt:2 includes "
                + root.resolve("shared.txt")
                + ", which is outside the module directory "
                + dir);
    assertThat(runner.venvRuns()).isEmpty();
  }

  @Test
  void adoptedHandMadeVenv_keepsItsPackagesAndGetsTheRequirements() throws Exception {
    Path dir = module(root, "handmade", "otherpkg==1.0\n");
    Path venv = dir.resolve(".venv");
    Path base = BaseInterpreter.identify(InterpreterLocator.locate(null), runner).executable();
    Modules.exec(base.toString(), "-m", "venv", "--without-pip", venv.toString());
    Modules.exec(
        base.toString(),
        "-m",
        "pip",
        "--isolated",
        "--python",
        venv.resolve("bin/python").toString(),
        "install",
        "--no-index",
        "--find-links",
        wheels.toString(),
        "tinypkg==1.0");
    Path mine = Files.writeString(venv.resolve("notes.txt"), "mine");

    Path python = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(python).isEqualTo(venv.resolve("bin/python"));
    assertThat(runner.venvRuns()).isEmpty();
    assertThat(progress.phases).containsExactly(SpawnPhase.INSTALLING);
    assertThat(progress.notices)
        .first(as(STRING))
        .startsWith("Adopting " + venv + ", a virtual environment that Synapse did not make (");
    assertThat(mine).hasContent("mine");
    assertThat(Modules.run(python, "import tinypkg, otherpkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
    assertThat(VenvStamp.read(venv)).isPresent();
  }

  @Test
  void brokenHandMadeVenv_isDeletedWithTheReason() throws Exception {
    Path dir = module(root, "broken", "tinypkg==1.0\n");
    Path venv = Files.createDirectories(dir.resolve(".venv/bin"));
    Files.writeString(dir.resolve(".venv/pyvenv.cfg"), "home = /nowhere\n");
    Path python = venv.resolve("python");
    Files.writeString(python, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));

    Path prepared = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(progress.notices)
        .singleElement(as(STRING))
        .startsWith(
            "Deleting and re-creating the virtual environment "
                + dir.resolve(".venv")
                + ": it was not made by Synapse and is not usable: its interpreter does not run:");
    assertThat(progress.phases).containsExactly(SpawnPhase.CREATING_VENV, SpawnPhase.INSTALLING);
    assertThat(Modules.run(prepared, "import tinypkg; print(tinypkg.VALUE)"))
        .isEqualTo("tinypkg-1.0");
  }

  @Test
  void handMadeVenvOfAnotherPython_isReplacedAndSaysWhy() throws Exception {
    Path other = Path.of("/root/.pyenv/versions/3.10.13/bin/python3.10");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(other), other + " missing");
    Path dir = module(root, "otherpython", "");
    Modules.exec(other.toString(), "-m", "venv", "--without-pip", dir.resolve(".venv").toString());

    Path python = PythonEnvironment.prepare(offline(dir, wheels), progress, runner);

    assertThat(progress.notices)
        .singleElement(as(STRING))
        .contains("is not usable: it runs cpython-3.10.13 and the base interpreter");
    assertThat(Modules.run(python, "import sys; print(sys.version_info[:2] != (3, 10))"))
        .isEqualTo("True");
  }

  @Test
  void requirementsThatChooseAnIndex_areNamedInANotice() throws Exception {
    Path dir =
        module(
            root,
            "indexed",
            "--find-links " + wheels + "\n-r more.txt\n# --index-url is only a comment here\n");
    Files.writeString(dir.resolve("more.txt"), "--extra-index-url=http://127.0.0.1:9/\ntinypkg\n");

    PythonEnvironment.prepare(
        offline(dir, wheels).withPipArguments(List.of("--isolated", "--no-index")),
        progress,
        runner);

    assertThat(progress.notices)
        .contains(
            "The requirements set where pip gets packages from: --find-links"
                + " (requirements.txt:1), --extra-index-url (more.txt:1); pip follows them as"
                + " written (a requirements file is trusted input, as it is to pip)");
  }

  @Test
  void pythonOlderThan38_failsNamingTheMinimum() throws Exception {
    for (String version : List.of("3.7.16", "3.6.15", "2.7.18")) {
      Path old = Path.of("/root/.pyenv/versions/" + version + "/bin/python");
      assertThat(old).as("pyenv's Python %s", version).isExecutable();
      Path dir = module(root, "old" + version, "");

      for (boolean asIs : List.of(false, true)) {
        assertThatThrownBy(
                () ->
                    PythonEnvironment.prepare(
                        offline(dir, wheels)
                            .withBasePython(old.toString())
                            .withUseInterpreterAsIs(asIs),
                        progress,
                        runner))
            .isInstanceOf(SpawnException.class)
            .hasMessage(
                "The Python interpreter "
                    + old
                    + " is Python "
                    + version
                    + "; Synapse needs Python 3.8 or later (choose another with the python"
                    + " setting or SYNAPSE_PYTHON)");
      }
      assertThat(dir.resolve(".venv")).doesNotExist();
    }
  }

  @Test
  void lockThatCannotBeTaken_saysWhyNotJustWhere() throws Exception {
    Path dir = module(root, "locked", "");
    Files.createDirectories(dir.resolve(".venv").resolve(VenvDirectory.LOCK_FILE));

    assertThatThrownBy(() -> PythonEnvironment.prepare(offline(dir, wheels), progress, runner))
        .isInstanceOf(SpawnException.class)
        .hasMessage(
            "Cannot lock "
                + dir.resolve(".venv").resolve(VenvDirectory.LOCK_FILE)
                + ": Is a directory");
  }
}
