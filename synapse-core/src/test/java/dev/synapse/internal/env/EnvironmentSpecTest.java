package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentSpecTest {
  private final EnvironmentSpec spec = EnvironmentSpec.of(Path.of("/m/module"));

  @Test
  void defaults() {
    assertThat(spec.basePython()).isNull();
    assertThat(spec.resolvedVenvDir()).isEqualTo(Path.of("/m/module/.venv"));
    assertThat(spec.requirementsFile()).isEqualTo(Path.of("/m/module/requirements.txt"));
    assertThat(spec.installTimeout()).isEqualTo(EnvironmentSpec.DEFAULT_INSTALL_TIMEOUT);
    assertThat(spec.requirementsRequired()).isTrue();
    assertThat(spec.useInterpreterAsIs()).isFalse();
    assertThat(spec.systemSitePackages()).isFalse();
  }

  @Test
  void venvDir_relativeToTheModule_absoluteAsGiven() {
    assertThat(spec.withVenvDir(Path.of("../envs/x")).resolvedVenvDir())
        .isEqualTo(Path.of("/m/envs/x"));
    assertThat(spec.withVenvDir(Path.of("/opt/venv")).resolvedVenvDir())
        .isEqualTo(Path.of("/opt/venv"));
  }

  @Test
  void badValues_failWithTheValue() {
    assertThatThrownBy(() -> spec.withInstallTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("installTimeout cannot be negative: PT-1S");
    assertThatThrownBy(() -> spec.withBasePython(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("basePython cannot be blank; use null for the default");
    assertThatThrownBy(() -> spec.withEnvironment(Map.of("A=B", "c")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not an environment variable name: 'A=B'");
  }

  @Test
  void pipArguments_areCopied() {
    List<String> arguments = new ArrayList<>(List.of("--no-index"));
    EnvironmentSpec copy = spec.withPipArguments(arguments);
    arguments.add("--pre");

    assertThat(copy.pipArguments()).containsExactly("--no-index");
  }
}
