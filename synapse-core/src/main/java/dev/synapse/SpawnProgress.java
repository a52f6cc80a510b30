package dev.synapse;

import dev.synapse.internal.env.EnvironmentProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes a spawn's steps and pip's output to the listener, on the thread that called spawn. */
final class SpawnProgress implements EnvironmentProgress {
  private static final Logger LOG = LoggerFactory.getLogger(SpawnProgress.class);

  private final String module;
  private final SynapseListener listener;
  private final long startNanos = System.nanoTime();

  SpawnProgress(String module, SynapseListener listener) {
    this.module = module;
    this.listener = listener;
  }

  long startNanos() {
    return startNanos;
  }

  @Override
  public void phase(SpawnPhase phase, long elapsedMillis) {
    LOG.debug("Spawn of {}: {} took {} ms", module, phase, elapsedMillis);
    try {
      listener.onSpawnPhase(module, phase, elapsedMillis);
    } catch (RuntimeException e) {
      LOG.warn("The listener failed", e);
    }
  }

  @Override
  public void installOutput(String line) {
    try {
      listener.onInstallOutput(module, line);
    } catch (RuntimeException e) {
      LOG.warn("The listener failed", e);
    }
  }
}
