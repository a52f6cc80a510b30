package dev.synapse.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synapse.LogLine;
import dev.synapse.PythonException;
import dev.synapse.Request;
import dev.synapse.Synapse;
import dev.synapse.SynapseException;
import dev.synapse.SynapseListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code synapse call DIR [FUNCTION] JSON}: spawns the module through the public API (preparing its
 * venv as any spawn does), makes one call, prints the answer as JSON on stdout and exits. A Python
 * error prints its traceback on stderr and exits with 1. The worker's own output (print, logging)
 * goes to stderr.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = {
      "Call a module once and print the answer as JSON.",
      "With FUNCTION, calls that function of a serve({...}) module; without, calls a serve(fn)"
          + " or seed-style module with JSON as its input.",
      "bytes print as {\"$bytes\": BASE64}, numpy arrays as {\"$ndarray\": {dtype, shape, base64"
          + " of the little-endian C-order bytes}}, datetimes as ISO-8601 strings (UTC), other"
          + " extensions as {\"$ext\": {type, base64}}."
    })
final class CallCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The module's directory.")
  Path directory;

  @Parameters(
      index = "1..2",
      arity = "1..2",
      paramLabel = "[FUNCTION] JSON",
      description = "The function (optional) and the input as JSON.")
  List<String> functionAndInput;

  @Option(
      names = "--entry",
      paramLabel = "NAME",
      defaultValue = "main",
      description = "The entrypoint, DIR/NAME.py (default: ${DEFAULT-VALUE}).")
  String entry;

  @Option(
      names = "--stream",
      description = "The function is a generator: print each item as one JSON line as it comes.")
  boolean stream;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Call timeout (for --stream: per item); 0 means none (default).")
  double timeoutSeconds;

  @Mixin EnvironmentOptions environment;

  @Override
  public Integer call() throws JsonProcessingException {
    String function = functionAndInput.size() == 2 ? functionAndInput.get(0) : null;
    String json = functionAndInput.get(functionAndInput.size() - 1);
    ObjectMapper mapper = JsonValues.mapper();
    Object input;
    try {
      input = mapper.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      System.err.println("synapse call: the input is not JSON: " + e.getOriginalMessage());
      return 2;
    }
    if (stream && function == null) {
      System.err.println("synapse call: --stream needs a FUNCTION");
      return 2;
    }
    Request request = function == null ? Request.call(input) : Request.invoke(function, input);
    if (timeoutSeconds > 0) {
      request = request.withTimeout(Duration.ofNanos((long) (timeoutSeconds * 1e9)));
    }
    try (Synapse synapse = environment.builder().listener(new StderrListener()).build()) {
      synapse.spawn(directory.toAbsolutePath().normalize(), entry);
      if (stream) {
        try (Stream<Object> items = synapse.stream(request)) {
          Iterator<Object> iterator = items.iterator();
          while (iterator.hasNext()) {
            System.out.println(mapper.writeValueAsString(iterator.next()));
            System.out.flush();
          }
        }
      } else {
        System.out.println(mapper.writeValueAsString(synapse.execute(request)));
      }
      return 0;
    } catch (PythonException e) {
      System.out.flush();
      System.err.print(
          e.pythonTraceback().isEmpty()
              ? e.pythonType() + ": " + e.pythonMessage() + "\n"
              : e.pythonTraceback());
      return SynapseCommand.FAILED;
    } catch (SynapseException | IllegalArgumentException | IllegalStateException e) {
      System.out.flush();
      System.err.println("synapse call: " + e.getMessage());
      return SynapseCommand.FAILED;
    }
  }

  /** The worker's stderr lines, as it wrote them. */
  private static final class StderrListener implements SynapseListener {
    @Override
    public void onLog(LogLine line) {
      System.err.println(line.text());
    }
  }
}
