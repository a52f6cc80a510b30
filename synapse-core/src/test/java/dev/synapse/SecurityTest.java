package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.launch.PysynapseHome;
import dev.synapse.testing.ChildJvm;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.SpawnAndCall;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Nothing runs that the caller did not name or that another user could have planted. */
@ExtendWith(NoLeaks.class)
// A separate thread: a test blocked reading a child JVM's output is not interruptible.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecurityTest {
  @TempDir Path temp;
  private Path moduleDir;
  private Path marker;

  @BeforeEach
  void modules() throws Exception {
    marker = temp.resolve("evil-ran");
    moduleDir = Files.createDirectories(temp.resolve("module"));
    Files.copy(module("echo").resolve("main.py"), moduleDir.resolve("main.py"));
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(
        outside.resolve("evil.py"),
        "open("
            + pythonString(marker)
            + ", 'w').write('ran')\n"
            + "import pysynapse\npysynapse.serve(lambda x: x)\n");
  }

  private static String pythonString(Path path) {
    return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private void assertRefused(String entrypoint, String is) {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      assertThatThrownBy(() -> synapse.spawn(moduleDir, entrypoint))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "The entrypoint must resolve inside the module directory "
                  + moduleDir
                  + ", but '"
                  + entrypoint
                  + "' is "
                  + is);
      assertThat(synapse.isRunning()).isFalse();
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void spawn_entrypointThatClimbsOutOfTheDirectory_isRefused() {
    assertRefused("../outside/evil", temp.resolve("outside/evil.py").toString());
    assertRefused("../outside/evil.py", temp.resolve("outside/evil.py").toString());
  }

  @Test
  void spawn_absoluteEntrypoint_isRefused() {
    assertRefused(temp.resolve("outside/evil").toString(), "an absolute path");
  }

  @Test
  void spawn_entrypointLinkedToAFileOutside_isRefused() throws Exception {
    Files.createSymbolicLink(moduleDir.resolve("link.py"), temp.resolve("outside/evil.py"));

    assertRefused(
        "link", temp.resolve("outside/evil.py").toRealPath() + " (through a symbolic link)");
  }

  @Test
  void spawn_entrypointInASubdirectory_orThroughALinkInside_runs() throws Exception {
    Files.createDirectories(moduleDir.resolve("sub"));
    Files.copy(moduleDir.resolve("main.py"), moduleDir.resolve("sub/main.py"));
    Files.createSymbolicLink(moduleDir.resolve("alias.py"), moduleDir.resolve("main.py"));

    for (String entrypoint : List.of("sub/main", "sub/../main", "alias")) {
      try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
        synapse.spawn(moduleDir, entrypoint);
        assertThat(synapse.call("in")).isEqualTo("in");
      }
    }
  }

  @Test
  void spawn_withAPlantedCopyOfPysynapse_runsTheBundledOneInstead() throws Exception {
    Path home = temp.resolve("home");
    Path copy = PysynapseHome.unpack(home);
    Files.writeString(
        copy.resolve("pysynapse/__init__.py"),
        "open(" + pythonString(marker) + ", 'w').write('planted')\n",
        java.nio.file.StandardOpenOption.APPEND);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxrwx"));

    Process jvm =
        ChildJvm.start(
            SpawnAndCall.class,
            List.of("-D" + PysynapseHome.HOME_PROPERTY + "=" + home),
            PLAIN_PYTHON,
            moduleDir.toString(),
            "main");
    String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(output).isEqualTo("ping\n");
    assertThat(jvm.exitValue()).isZero();
    assertThat(marker).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
        .isEqualTo("rwx------");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).containsExactly(copy);
    }
  }
}
