package dev.synapse;

import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.SupportedPythons;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same end-to-end smoke on every supported Python version (see {@link SupportedPythons}):
 * calls, errors, async handlers, streams, bytes and 64-bit integers. Prints which codec each
 * version ran, because the local wheels of msgpack exist for one version only and the others run
 * pysynapse's pure codec.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupportedPythonsTest {
  private static final Map<String, String> REPORT = new ConcurrentSkipListMap<>();

  static List<String> versions() {
    return SupportedPythons.versions();
  }

  @ParameterizedTest(name = "Python {0}")
  @MethodSource("versions")
  void smokeOnEachVersion(String version) throws Exception {
    Path python = interpreter(version);
    WorkerInfo info = smoke(python.toString());
    assertThat(info.pythonVersion()).startsWith(version + ".");
    REPORT.put(sortKey(version), info.pythonVersion() + " codec " + info.codec() + "  " + python);
  }

  /** Debian's interpreter has msgpack installed: the same smoke with msgpack's codec. */
  @Test
  void smokeWithMsgpack() throws Exception {
    WorkerInfo info = smoke(Fixtures.DEBIAN_PYTHON);
    assertThat(info.codec()).isEqualTo("msgpack");
    REPORT.put("~", info.pythonVersion() + " codec msgpack  " + Fixtures.DEBIAN_PYTHON);
  }

  private static WorkerInfo smoke(String python) throws Exception {
    try (Synapse synapse = Fixtures.builder(python).build()) {
      synapse.spawn(module("smoke"), "main");
      WorkerInfo info = synapse.workerInfo().orElseThrow();

      assertThat(synapse.invoke("echo", Map.of("text", "naïve ☃", "list", List.of(1, 2.5, true))))
          .isEqualTo(Map.of("text", "naïve ☃", "list", List.of(1L, 2.5, true)));
      assertThatThrownBy(() -> synapse.invoke("fail", 7))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(PythonException.Kind.HANDLER);
                assertThat(e.pythonType()).isEqualTo("ValueError");
                assertThat(e.pythonMessage()).isEqualTo("bad input: 7");
                assertThat(e.pythonTraceback()).contains("in fail");
              });
      assertThatThrownBy(() -> synapse.invoke("no_such_function", null))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.FUNCTION));

      List<CompletableFuture<Object>> doubled = new ArrayList<>();
      for (long n = 0; n < 20; n++) {
        doubled.add(synapse.invokeAsync("async_double", n));
      }
      for (int n = 0; n < 20; n++) {
        assertThat(doubled.get(n).get(30, TimeUnit.SECONDS)).isEqualTo(2L * n);
      }

      try (Stream<Object> items = synapse.stream("count", 500)) {
        assertThat(items.toList()).isEqualTo(range(500));
      }
      try (Stream<Object> items = synapse.stream("acount", 500)) {
        assertThat(items.toList()).isEqualTo(range(500));
      }

      byte[] data = new byte[256 * 1024];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) i;
      }
      byte[] reversed = (byte[]) synapse.invoke("reversed_bytes", data);
      assertThat(reversed).hasSize(data.length);
      assertThat(reversed[0]).isEqualTo(data[data.length - 1]);
      assertThat(reversed[data.length - 1]).isEqualTo(data[0]);

      BigInteger maxUnsigned = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      assertThat(synapse.invoke("echo", maxUnsigned)).isEqualTo(maxUnsigned);
      assertThat(synapse.invoke("echo", Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
      assertThat(synapse.invoke("square", 3_000_000_000L)).isEqualTo(9_000_000_000_000_000_000L);
      assertThatThrownBy(() -> synapse.invoke("square", maxUnsigned))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.ENCODE));
      return info;
    }
  }

  @AfterAll
  static void reportCodecs() {
    StringBuilder report = new StringBuilder("Python versions tested, and the codec each ran:\n");
    REPORT.values().forEach(line -> report.append("  ").append(line).append('\n'));
    System.out.print(report);
  }

  private static Path interpreter(String version) {
    return SupportedPythons.find(version)
        .orElseGet(
            () -> {
              String missing =
                  "No Python "
                      + version
                      + " under "
                      + SupportedPythons.root()
                      + " (install it with pyenv, or set -Dsynapse.test.pythonRoot)";
              REPORT.put(sortKey(version), version + " MISSING: " + missing);
              if (SupportedPythons.allRequired()) {
                fail(missing + "; this build requires every supported version");
              }
              Assumptions.abort(missing);
              throw new AssertionError("unreachable");
            });
  }

  private static String sortKey(String version) {
    String[] parts = version.split("\\.");
    return String.format("%03d.%03d", Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
  }

  private static List<Object> range(int n) {
    return LongStream.range(0, n).boxed().map(Object.class::cast).toList();
  }
}
