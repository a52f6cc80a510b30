package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BaseInterpreterTest {
  private static boolean supports(String pipVersion) {
    return new BaseInterpreter(Path.of("/p"), "cpython-3.11.7", pipVersion)
        .pipSupportsPythonOption();
  }

  @Test
  void pipPythonOption_from22Point3() {
    assertThat(supports("22.3")).isTrue();
    assertThat(supports("22.3.1")).isTrue();
    assertThat(supports("23.0.1")).isTrue();
    assertThat(supports("24.0")).isTrue();
    assertThat(supports("22.2.2")).isFalse();
    assertThat(supports("9.0.1")).isFalse();
    assertThat(supports("")).as("no pip").isFalse();
    assertThat(supports("23.1b1")).as("unparsable").isFalse();
  }

  @Test
  void probe_reportsTheRealExecutableVersionAndPip() {
    BaseInterpreter base =
        BaseInterpreter.identify(InterpreterLocator.locate(null), new ProcessRunner());

    assertThat(base.executable()).isAbsolute().isExecutable();
    assertThat(base.version()).startsWith("cpython-3.");
    assertThat(base.pipSupportsPythonOption()).isTrue();
  }
}
