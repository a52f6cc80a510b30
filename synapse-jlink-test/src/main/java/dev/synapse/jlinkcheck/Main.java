package dev.synapse.jlinkcheck;

import dev.synapse.Synapse;
import dev.synapse.WorkerInfo;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Spawns a real worker from inside a linked run-time image and checks a call, a stream and an
 * error; prints one line per check and exits non-zero on the first that fails.
 *
 * <p>Arguments: the Python interpreter and the directory of the module to spawn.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: Main PYTHON MODULE_DIR");
    }
    try (Synapse synapse = Synapse.builder().python(args[0]).useInterpreterAsIs(true).build()) {
      synapse.spawn(Path.of(args[1]), "main");
      WorkerInfo info = synapse.workerInfo().orElseThrow();
      System.out.println("worker: Python " + info.pythonVersion() + ", codec " + info.codec());

      BigInteger big = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      Map<String, Object> input = Map.of("big", big, "bytes", new byte[] {1, 2, 3});
      Object answer = synapse.invoke("echo", input);
      check("call", answer instanceof Map<?, ?> map && big.equals(map.get("big")));

      try (Stream<Object> items = synapse.stream("count", 3)) {
        check("stream", items.toList().equals(List.of(0L, 1L, 2L)));
      }

      try {
        synapse.invoke("fail", "x");
        check("error", false);
      } catch (dev.synapse.PythonException e) {
        check("error", e.pythonType().equals("ValueError"));
      }
    }
  }

  private static void check(String what, boolean passed) {
    System.out.println(what + ": " + (passed ? "ok" : "FAILED"));
    if (!passed) {
      System.exit(1);
    }
  }
}
