package dev.synapse.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SpawnException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An entrypoint resolves to a file inside its module directory, or is refused naming why. */
@Timeout(30)
class EntrypointTest {
  @TempDir Path root;

  @Test
  void resolvesWithOrWithoutPy_andInASubdirectory() throws Exception {
    Path module = Files.createDirectories(root.resolve("module/tools"));
    Path dir = module.getParent().toRealPath();
    Files.writeString(dir.resolve("main.py"), "");
    Files.writeString(dir.resolve("tools/run.py"), "");

    assertThat(Entrypoint.resolve(dir, "main"))
        .isEqualTo(new Entrypoint(dir.resolve("main.py"), "main"));
    assertThat(Entrypoint.resolve(dir, "main.py").module()).isEqualTo("main");
    assertThat(Entrypoint.resolve(dir, "tools/run").script())
        .isEqualTo(dir.resolve("tools/run.py"));
  }

  @Test
  void anEntrypointOutsideTheDirectory_isRefused_andAMissingOneNamesItsPath() throws Exception {
    Path dir = Files.createDirectories(root.resolve("module")).toRealPath();
    Files.writeString(root.resolve("outside.py"), "");
    Files.createSymbolicLink(dir.resolve("link.py"), root.resolve("outside.py"));

    assertThatThrownBy(() -> Entrypoint.resolve(dir, "../outside"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must resolve inside the module directory");
    assertThatThrownBy(() -> Entrypoint.resolve(dir, root.resolve("outside").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("an absolute path");
    assertThatThrownBy(() -> Entrypoint.resolve(dir, "link"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("through a symbolic link");
    assertThatThrownBy(() -> Entrypoint.resolve(dir, "absent"))
        .isInstanceOf(SpawnException.class)
        .hasMessageContaining(dir.resolve("absent.py").toString());
  }
}
