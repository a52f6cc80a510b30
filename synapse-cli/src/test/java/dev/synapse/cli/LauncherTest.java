package dev.synapse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.cli.CliProcess.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code synapse} launcher script, run as a real process on real venvs: it answers a warm
 * {@code prepare} itself only while the jar would find the venv current too. Each change that makes
 * the venv's stamp stale is made to a prepared venv; then the launcher must leave the decision to
 * the jar (run here with no jar, so that its answer and a fall-back cannot be confused), and the
 * jar must rebuild.
 */
@Timeout(1200)
class LauncherTest {
  private static final String DEBIAN_PYTHON = "/usr/bin/python3.11";
  private static final Path OTHER_PYTHON = Path.of("/root/.pyenv/versions/3.11.7/bin/python3.11");

  /** Where the launcher looks for the jar: nowhere, so that only its own answer can succeed. */
  private static final Map<String, String> NO_JAR =
      Map.of("SYNAPSE_CLI_JAR", "/nonexistent/synapse-cli.jar");

  @TempDir Path root;
  Path wheels;
  Path module;
  Path python;

  @BeforeEach
  void module() throws Exception {
    wheels = root.resolve("wheels");
    CliProcess.exec(
        List.of("python3", CliTest.TINY_WHEEL.toString(), wheels.toString(), "tinypkg", "1.0"));
    module = Files.createDirectories(root.resolve("mod"));
    Files.writeString(module.resolve("requirements.txt"), "-r base.txt\n");
    Files.writeString(module.resolve("base.txt"), "tinypkg==1.0\n");
    python = Files.createSymbolicLink(root.resolve("python"), Path.of(DEBIAN_PYTHON));
  }

  /** {@code prepare mod --python P} with pip offline and {@code pip} added. */
  private List<String> prepare(String interpreter, String... pip) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "prepare",
                "mod",
                "--python",
                interpreter,
                "--isolated",
                "--no-index",
                "--find-links",
                wheels.toString()));
    arguments.addAll(List.of(pip));
    return arguments;
  }

  private String upToDate() {
    return "Up to date: " + module.resolve(".venv/bin/python") + "\n";
  }

  /** The launcher answers by itself, as the jar would. */
  private void answered(List<String> arguments) throws Exception {
    Run run = CliProcess.launcher(root, arguments, NO_JAR);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo(upToDate());
    assertThat(run.err()).isEmpty();
  }

  /** The launcher leaves the decision to the jar, which is missing here. */
  private void leftToTheJar(List<String> arguments) throws Exception {
    Run run = CliProcess.launcher(root, arguments, NO_JAR);
    assertThat(run.exitCode()).as(run.toString()).isNotZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("/nonexistent/synapse-cli.jar");
  }

  /** Through the launcher, which runs the jar next to it: the jar does work on the venv. */
  private void jarRebuilds(List<String> arguments) throws Exception {
    Run run = CliProcess.launcher(root, arguments, Map.of());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Ready in ").doesNotContain("Up to date");
  }

  @Test
  void aColdPrepareGoesToTheJar_andTheWarmOneIsAnsweredExactlyAsTheJarAnswersIt() throws Exception {
    List<String> arguments = prepare(DEBIAN_PYTHON);
    leftToTheJar(arguments);

    jarRebuilds(arguments);

    answered(arguments);
    Run jar = CliProcess.jar(root, arguments);
    assertThat(jar.exitCode()).isZero();
    assertThat(jar.out()).isEqualTo(upToDate());
    List<String> more = new ArrayList<>(arguments);
    more.add("-v");
    leftToTheJar(more); // other arguments than those recorded
  }

  /** A change that makes the venv's stamp stale, in the order the test makes them. */
  enum Change {
    REQUIREMENTS_EDITED,
    INCLUDED_FILE_EDITED,
    INTERPRETER_CHANGED,
    PYTHON_OPTION_CHANGED,
    PIP_OPTIONS_CHANGED,
    VENV_DELETED,
    VENV_BROKEN
  }

  @Test
  void theLauncherLeavesEveryStaleVenvToTheJar_whichRebuildsIt() throws Exception {
    assertThat(OTHER_PYTHON).as("a second interpreter for INTERPRETER_CHANGED").isExecutable();
    List<String> before = prepare(python.toString());
    jarRebuilds(before);
    answered(before);

    // One venv through every change in turn: each starts from the venv the last one rebuilt.
    for (Change change : Change.values()) {
      List<String> after = make(change, before);

      try {
        leftToTheJar(after);
        jarRebuilds(after);
        answered(after);
        if (!after.equals(before)) {
          leftToTheJar(before); // the venv is stamped for the new arguments now
        }
      } catch (AssertionError e) {
        throw new AssertionError("after " + change + ": " + e.getMessage(), e);
      }
      before = after;
    }
  }

  private List<String> make(Change change, List<String> before) throws IOException {
    Path venv = module.resolve(".venv");
    switch (change) {
      case REQUIREMENTS_EDITED -> append(module.resolve("requirements.txt"), "# pinned\n");
      case INCLUDED_FILE_EDITED -> append(module.resolve("base.txt"), "# pinned\n");
      case INTERPRETER_CHANGED -> {
        Files.delete(python);
        Files.createSymbolicLink(python, OTHER_PYTHON);
      }
      case PYTHON_OPTION_CHANGED -> {
        return prepare(OTHER_PYTHON.toString()); // the file the link leads to, named otherwise
      }
      case PIP_OPTIONS_CHANGED -> {
        List<String> more = new ArrayList<>(before);
        more.add(4, "--no-deps"); // after --python P, before the options that take a value
        return more;
      }
      case VENV_DELETED -> deleteTree(venv);
      case VENV_BROKEN -> Files.delete(venv.resolve("bin/python"));
    }
    return before;
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, Files.readString(file) + text);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
