package dev.synapse.testing;

import dev.synapse.Synapse;
import java.nio.file.Path;

/**
 * A separate JVM for the test that kills a JVM outright: spawns the {@code descendants} module on
 * interpreter {@code args[0]} from directory {@code args[1]}, has it start a child in a session of
 * its own and a double-forked daemon, prints the pids of the worker and of both, and waits to be
 * killed.
 */
public final class HoldFamily {
  private HoldFamily() {}

  public static void main(String[] args) throws InterruptedException {
    Synapse synapse = Fixtures.builder(args[0]).build();
    synapse.spawn(Path.of(args[1]), "main");
    Object sessionChild = synapse.invoke("session_child", null);
    Object daemon = synapse.invoke("daemon", null);
    System.out.println(
        synapse.workerInfo().orElseThrow().pid() + " " + sessionChild + " " + daemon);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
