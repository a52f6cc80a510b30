package dev.synapse.testing;

import dev.synapse.Synapse;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate JVM for the test that kills a JVM outright while a worker uses shared memory: spawns
 * the {@code shared_memory} fixture with its region in {@code args[1]}, passes a large value both
 * ways, prints the worker's pid, and waits to be killed.
 */
public final class HoldSharedMemory {
  private HoldSharedMemory() {}

  public static void main(String[] args) throws InterruptedException {
    Synapse synapse = Fixtures.builder(args[0]).sharedMemoryDirectory(Path.of(args[1])).build();
    synapse.spawn(Fixtures.module("shared_memory"), "main");
    synapse.invoke("echo", new byte[4 << 20]);
    synapse.invoke("make_bytes", Map.of("n", 4 << 20));
    System.out.println(synapse.workerInfo().orElseThrow().pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
