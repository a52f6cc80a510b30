package dev.synapse.examples;

import dev.synapse.LogLine;
import dev.synapse.SpawnPhase;
import dev.synapse.SynapseListener;

/** Prints what the worker logs and how its spawn goes, so the demo shows both. */
final class ConsoleLogListener implements SynapseListener {
  @Override
  public void onLog(LogLine line) {
    System.out.println("  [python " + line.level() + "] " + line.text());
  }

  @Override
  public void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {
    System.out.println("  [spawn] " + phase + " took " + elapsedMillis + " ms");
  }

  @Override
  public void onInstallOutput(String module, String line) {
    System.out.println("  [pip] " + line);
  }
}
