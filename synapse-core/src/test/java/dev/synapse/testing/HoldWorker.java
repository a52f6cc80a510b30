package dev.synapse.testing;

import dev.synapse.Synapse;
import java.nio.file.Path;

/**
 * A separate JVM for the test that kills a JVM outright: spawns a worker, prints its pid, and waits
 * to be killed.
 */
public final class HoldWorker {
  private HoldWorker() {}

  public static void main(String[] args) throws InterruptedException {
    Synapse synapse = Fixtures.builder(args[0]).build();
    synapse.spawn(Path.of(args[1]), "main");
    Object child = synapse.invoke("spawn_child", null);
    System.out.println(synapse.workerInfo().orElseThrow().pid() + " " + child);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
