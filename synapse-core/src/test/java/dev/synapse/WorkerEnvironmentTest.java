package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.launch.PysynapseHome;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The worker's environment: the JVM's by default, or only what the builder names. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class WorkerEnvironmentTest {
  /** The variables Synapse sets in every worker, and their values here. */
  private static Map<String, String> synapsesOwn(String pythonPath) {
    return Map.of(
        "PYTHONPATH", pythonPath,
        "SYNAPSE_MAX_FRAME", Integer.toString(256 * 1024 * 1024),
        "SYNAPSE_SHM_THRESHOLD", Integer.toString(1024 * 1024),
        "PYTHONIOENCODING", "utf-8",
        "PYTHONUNBUFFERED", "1",
        "MALLOC_MMAP_THRESHOLD_", "1073741824",
        "MALLOC_TRIM_THRESHOLD_", "1073741824");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> workerEnvironment(Synapse.Builder builder) {
    try (Synapse synapse = builder.build()) {
      synapse.spawn(module("environ"), "main");
      Map<String, String> environ = new HashMap<>((Map<String, String>) synapse.call(null));
      // Python itself may coerce the C locale and say so in LC_CTYPE (PEP 538).
      if ("C.UTF-8".equals(environ.get("LC_CTYPE")) && System.getenv("LC_CTYPE") == null) {
        environ.remove("LC_CTYPE");
      }
      return environ;
    }
  }

  @Test
  void byDefault_theWorkerInheritsTheJvmsEnvironment_plusWhatIsSet() {
    Map<String, String> environ =
        workerEnvironment(Fixtures.builder(DEBIAN_PYTHON).environment("SYNAPSE_TEST_SET", "yes"));

    Map<String, String> expected = new HashMap<>(System.getenv());
    expected.put("SYNAPSE_TEST_SET", "yes");
    expected.putAll(synapsesOwn(PysynapseHome.directory().toString()));
    expected.remove("PYTHONPATH");
    assertThat(environ).containsAllEntriesOf(expected);
    assertThat(environ.get("PYTHONPATH")).startsWith(PysynapseHome.directory().toString());
  }

  @Test
  void withoutInheriting_theWorkerGetsOnlyThePassedAndSetVariables_andSynapsesOwn() {
    String home = System.getenv("HOME");
    assertThat(home).as("a JVM variable that must not reach the worker").isNotNull();

    Map<String, String> environ =
        workerEnvironment(
            Fixtures.builder(DEBIAN_PYTHON)
                .inheritEnvironment(false)
                .passEnvironment("PATH", "SYNAPSE_TEST_NOT_IN_THIS_JVM")
                .environment(Map.of("SYNAPSE_TEST_SET", "yes", "MALLOC_TRIM_THRESHOLD_", "4096")));

    Map<String, String> expected = new HashMap<>(synapsesOwn(PysynapseHome.directory().toString()));
    expected.put("PATH", System.getenv("PATH"));
    expected.put("SYNAPSE_TEST_SET", "yes");
    expected.put("MALLOC_TRIM_THRESHOLD_", "4096");
    assertThat(environ).isEqualTo(expected);
  }

  @Test
  void inheritingAgain_restoresTheJvmsEnvironment() {
    Map<String, String> environ =
        workerEnvironment(
            Fixtures.builder(DEBIAN_PYTHON).inheritEnvironment(false).inheritEnvironment(true));

    assertThat(environ).containsEntry("HOME", System.getenv("HOME"));
  }

  @Test
  void builderRejectsBadVariableNames() {
    assertThatThrownBy(() -> Synapse.builder().passEnvironment("PATH", "A=B"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not an environment variable name: 'A=B'");
    assertThatThrownBy(() -> Synapse.builder().passEnvironment(""))
        .hasMessage("Not an environment variable name: ''");
    assertThatThrownBy(() -> Synapse.builder().environment(Map.of("=X", "1")))
        .hasMessage("Not an environment variable name: '=X'");
  }
}
