package dev.synapse.internal.supervision;

import dev.synapse.Request;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What a spawn starts and its calls go to: one worker's supervisor for a {@code Synapse}, a pool of
 * them for a {@code SynapsePool}. Thread-safe.
 */
public interface Engine {
  /** Makes a call; {@code async} calls complete on the callback executor. */
  CompletableFuture<Object> submit(Request request, boolean async);

  /** Opens a stream of the answers of a generator. */
  Stream<Object> stream(Request request);

  /** Whether it still has, or is getting, a worker. */
  boolean isRunning();

  /** Ends every worker; calls still waiting fail. Idempotent. */
  void dispose();
}
