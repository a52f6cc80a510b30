package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers under debugpy: each listens on its port and answers a Debug Adapter Protocol {@code
 * initialize} request; breakpoint() without a debugger says how to debug. debugpy comes from the
 * machine's package index, installed into the module's venv through its requirements.txt.
 */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class DebugTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path root;
  private static Path module;

  @BeforeAll
  static void writeModule() throws IOException {
    module = Files.createDirectories(root.resolve("debugged"));
    Files.writeString(module.resolve("requirements.txt"), "debugpy\n");
    Files.writeString(
        module.resolve("main.py"),
        String.join(
            "\n",
            "import time, pysynapse",
            "def stop(p):",
            "    breakpoint()",
            "    return 'went on'",
            "def sleep(s):",
            "    time.sleep(s)",
            "    return s",
            "pysynapse.serve({'stop': stop, 'sleep': sleep})",
            ""));
  }

  private static Synapse.Builder debugged(DebugOptions options) {
    return Synapse.builder().python(PLAIN_PYTHON).debug(options);
  }

  @Test
  void aWorker_listensOnItsPort_andAnswersADapInitialize() throws IOException {
    try (Synapse synapse = debugged(DebugOptions.onPort(0)).build()) {
      synapse.spawn(module, "main");

      int port = synapse.workerInfo().orElseThrow().debugPort().orElseThrow();
      assertThat(port).isPositive();
      assertThat(initialize(port).path("success").asBoolean()).isTrue();
      assertThat(synapse.invoke("stop", null))
          .as("breakpoint() with no IDE attached goes on")
          .isEqualTo("went on");
      assertThat(synapse.ping(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void eachWorkerOfAPool_takesItsOwnPortFromTheBase() throws IOException {
    int base = freePortPair();
    try (SynapsePool pool =
        SynapsePool.builder()
            .python(PLAIN_PYTHON)
            .size(2)
            .debug(DebugOptions.onPort(base))
            .build()) {
      pool.spawn(module, "main");

      List<Integer> ports =
          pool.workers().stream().map(w -> w.debugPort().orElseThrow()).sorted().toList();
      assertThat(ports).containsExactly(base, base + 1);
      for (int port : ports) {
        assertThat(initialize(port).path("success").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void timeoutsAreSuspendedWhileDebugging_unlessAskedNotTo() {
    try (Synapse synapse =
        debugged(DebugOptions.onPort(0)).callTimeout(Duration.ofMillis(100)).build()) {
      synapse.spawn(module, "main");
      assertThat(synapse.execute(Request.invoke("sleep", 0.3).withTimeout(Duration.ofMillis(100))))
          .isEqualTo(0.3);
    }
    try (Synapse synapse =
        debugged(DebugOptions.onPort(0).withSuspendTimeouts(false))
            .callTimeout(Duration.ofMillis(100))
            .build()) {
      synapse.spawn(module, "main");
      assertThatThrownBy(() -> synapse.invoke("sleep", 0.5))
          .isInstanceOf(CallTimeoutException.class);
    }
  }

  @Test
  void withoutADebugger_breakpointSaysHowToDebug() {
    try (Synapse synapse = Synapse.builder().python(PLAIN_PYTHON).build()) {
      synapse.spawn(module, "main");

      assertThat(synapse.workerInfo().orElseThrow().debugPort()).isEqualTo(OptionalInt.empty());
      assertThatThrownBy(() -> synapse.invoke("stop", null))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> {
                assertThat(e.pythonType()).isEqualTo("RuntimeError");
                assertThat(e.pythonMessage())
                    .startsWith("breakpoint() cannot stop here")
                    .contains("debug(DebugOptions.onPort(5678))", "PYTHONBREAKPOINT");
              });
    }
    try (Synapse synapse =
        Synapse.builder().python(PLAIN_PYTHON).environment("PYTHONBREAKPOINT", "0").build()) {
      synapse.spawn(module, "main");
      assertThat(synapse.invoke("stop", null)).isEqualTo("went on");
    }
  }

  @Test
  void debuggingWithoutDebugpy_failsTheSpawnSayingWhatToInstall() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).debug(DebugOptions.onPort(0)).build()) {
      assertThatThrownBy(() -> synapse.spawn(Fixtures.module("echo"), "main"))
          .isInstanceOfSatisfying(
              SpawnException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains("cannot import debugpy")
                      .contains("add debugpy to the module's requirements.txt"));
    }
  }

  @Test
  void options_areChecked() {
    assertThatThrownBy(() -> DebugOptions.onPort(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The debug port must be 0 to 65535, was 70000");
    assertThatThrownBy(() -> DebugOptions.onPort(1).withHost(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The debug host cannot be empty");
    DebugOptions options = DebugOptions.onPort(5678);
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.waitForClient()).isFalse();
    assertThat(options.suspendTimeouts()).isTrue();
  }

  /** Two free ports in a row: the first found whose next one is free too. */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket first = new ServerSocket(0)) {
        int port = first.getLocalPort();
        if (port < 65535) {
          try (ServerSocket second = new ServerSocket(port + 1)) {
            return port;
          } catch (IOException taken) {
            // try another
          }
        }
      }
    }
    throw new IOException("no two free ports in a row");
  }

  /** Sends a DAP {@code initialize} request to 127.0.0.1:port and returns its response. */
  private static JsonNode initialize(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      byte[] body =
          JSON.writeValueAsBytes(
              Map.of(
                  "seq",
                  1,
                  "type",
                  "request",
                  "command",
                  "initialize",
                  "arguments",
                  Map.of("adapterID", "synapse-test", "clientID", "synapse-test")));
      OutputStream out = socket.getOutputStream();
      out.write(
          ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 20; i++) {
        JsonNode message = JSON.readTree(readMessage(in));
        if ("response".equals(message.path("type").asText())) {
          assertThat(message.path("command").asText()).isEqualTo("initialize");
          assertThat(message.path("request_seq").asInt()).isEqualTo(1);
          return message;
        }
      }
      throw new AssertionError("no response to initialize among 20 messages");
    }
  }

  /** One Content-Length framed message. */
  private static byte[] readMessage(InputStream in) throws IOException {
    int length = -1;
    while (true) {
      String line = readLine(in);
      if (line.isEmpty()) {
        break;
      }
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (length < 0) {
      throw new IOException("a DAP message without Content-Length");
    }
    return in.readNBytes(length);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the debugger closed the connection");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
