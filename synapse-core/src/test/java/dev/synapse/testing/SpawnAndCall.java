package dev.synapse.testing;

import dev.synapse.Synapse;
import java.nio.file.Path;

/**
 * A separate JVM for tests that need a fresh Synapse (system properties read once per JVM): spawns
 * {@code args[1]/args[2].py} on interpreter {@code args[0]}, prints its answer to {@code "ping"},
 * and disposes of it.
 */
public final class SpawnAndCall {
  private SpawnAndCall() {}

  public static void main(String[] args) {
    try (Synapse synapse = Fixtures.builder(args[0]).build()) {
      synapse.spawn(Path.of(args[1]), args[2]);
      System.out.println(synapse.call("ping"));
    }
  }
}
