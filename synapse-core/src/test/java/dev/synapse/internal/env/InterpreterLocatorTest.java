package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SpawnException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake interpreters (empty executable files) on a PATH made for each case; nothing runs. */
class InterpreterLocatorTest {
  @TempDir Path root;

  private Path program(String relative) throws Exception {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    return file;
  }

  private String path(String... dirs) {
    StringBuilder path = new StringBuilder();
    for (String dir : dirs) {
      path.append(root.resolve(dir)).append(File.pathSeparator);
    }
    return path.toString();
  }

  @Test
  void default_isPython3OnPath_inPathOrder() throws Exception {
    program("a/python");
    Path python3 = program("b/python3");
    program("c/python3");

    assertThat(InterpreterLocator.locate(null, null, path("a", "b", "c"))).isEqualTo(python3);
  }

  @Test
  void default_fallsBackToPython() throws Exception {
    Path python = program("a/python");

    assertThat(InterpreterLocator.locate(null, "  ", path("a"))).isEqualTo(python);
  }

  @Test
  void default_isOverriddenBySynapsePython() throws Exception {
    program("a/python3");
    Path chosen = program("b/python3.12");

    assertThat(InterpreterLocator.locate(null, "python3.12", path("a", "b"))).isEqualTo(chosen);
    assertThat(InterpreterLocator.locate(null, chosen.toString(), "")).isEqualTo(chosen);
  }

  @Test
  void explicitInterpreter_winsOverTheOverride() throws Exception {
    Path explicit = program("a/python3.11");
    program("a/python3.12");

    assertThat(InterpreterLocator.locate("python3.11", "python3.12", path("a")))
        .isEqualTo(explicit);
  }

  @Test
  void environmentDirectory_meansItsInterpreter() throws Exception {
    Path python = program("conda-env/bin/python");

    assertThat(InterpreterLocator.locate(root.resolve("conda-env").toString(), null, ""))
        .isEqualTo(python);
  }

  @Test
  void nonExecutableFile_isSkippedOnPath() throws Exception {
    Files.createDirectories(root.resolve("a"));
    Files.createFile(root.resolve("a/python3"));
    Path python3 = program("b/python3");

    assertThat(InterpreterLocator.locate(null, null, path("a", "b"))).isEqualTo(python3);
  }

  @Test
  void errors_nameWhatWasSought() throws Exception {
    String path = path("empty");
    assertThatThrownBy(() -> InterpreterLocator.locate(null, null, path))
        .isInstanceOf(SpawnException.class)
        .hasMessage(
            "No Python interpreter found: neither python3 nor python is on PATH ("
                + path
                + "); install Python 3, or set SYNAPSE_PYTHON or the interpreter option to its path");
    assertThatThrownBy(
            () -> InterpreterLocator.locate(root.resolve("nope/python").toString(), null, path))
        .isInstanceOf(SpawnException.class)
        .hasMessage("The Python interpreter does not exist: " + root.resolve("nope/python"));
    Files.createFile(root.resolve("plain"));
    assertThatThrownBy(
            () -> InterpreterLocator.locate(root.resolve("plain").toString(), null, path))
        .isInstanceOf(SpawnException.class)
        .hasMessage("The Python interpreter is not executable: " + root.resolve("plain"));
    Files.createDirectories(root.resolve("emptyenv"));
    assertThatThrownBy(
            () -> InterpreterLocator.locate(root.resolve("emptyenv").toString(), null, path))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith(
            "No Python interpreter in the environment directory " + root.resolve("emptyenv"));
  }
}
