package dev.synapse.examples;

import dev.synapse.PythonException;
import dev.synapse.Synapse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Spawns the bundled demo module and calls it: plain calls, concurrent async calls, an error. */
public final class Demo {
  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args the directory of the demo module (default {@code synapse-examples/python/demo})
   */
  public static void main(String[] args) {
    Path module = Path.of(args.length > 0 ? args[0] : "synapse-examples/python/demo");
    try (Synapse synapse = Synapse.builder().listener(new ConsoleLogListener()).build()) {
      long start = System.nanoTime();
      synapse.spawn(module, "main");
      System.out.printf(
          "Spawned %s in %d ms: %s%n",
          module, (System.nanoTime() - start) / 1_000_000, synapse.workerInfo().orElseThrow());
      System.out.println("about       -> " + synapse.invoke("about", null));

      String text = "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.";
      System.out.println("word_stats  -> " + synapse.invoke("word_stats", text));

      List<?> primes = synapse.invoke("primes", 100_000, List.class);
      System.out.println(
          "primes      -> "
              + primes.size()
              + " primes below 100000, the last "
              + primes.get(primes.size() - 1));

      start = System.nanoTime();
      List<CompletableFuture<Object>> squares = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        squares.add(synapse.invokeAsync("slow_square", i));
      }
      List<Object> results = squares.stream().map(CompletableFuture::join).toList();
      System.out.printf(
          "slow_square -> %s: ten 200 ms async calls in %d ms%n",
          results, (System.nanoTime() - start) / 1_000_000);

      try {
        synapse.invoke("divide", List.of(1, 0));
      } catch (PythonException e) {
        System.out.println(
            "divide      -> "
                + e.pythonType()
                + ": "
                + e.pythonMessage()
                + " (traceback of "
                + e.pythonTraceback().lines().count()
                + " lines)");
      }
    }
  }
}
