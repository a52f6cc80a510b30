package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PINGs of one worker that wait for their PONG. A ping whose waiter gave up (its future was
 * cancelled or completed otherwise) leaves the map at once, so that a probe pinging a stuck worker
 * again and again does not pile up entries; a late PONG for it is ignored.
 */
final class Pings {
  private record Waiting(CompletableFuture<Void> answered, OutboundFrame frame) {}

  private final ConcurrentHashMap<Long, Waiting> waiting = new ConcurrentHashMap<>();
  private final Outbox outbox;

  Pings(Outbox outbox) {
    this.outbox = outbox;
  }

  /** Sends PING {@code id}; the future completes when its PONG comes. */
  CompletableFuture<Void> send(long id) {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    OutboundFrame frame = Messages.ping(id);
    waiting.put(id, new Waiting(answered, frame));
    answered.whenComplete((ignored, error) -> waiting.remove(id));
    outbox.send(frame);
    return answered;
  }

  /** The PONG for {@code id} came. */
  void answered(long id) {
    Waiting entry = waiting.remove(id);
    if (entry != null) {
      outbox.readByWorker(entry.frame());
      entry.answered().complete(null);
    }
  }

  /** The worker ended: no PONG will come. */
  void close(RuntimeException cause) {
    for (Long id : waiting.keySet()) {
      Waiting entry = waiting.remove(id);
      if (entry != null) {
        entry.answered().completeExceptionally(cause);
      }
    }
  }
}
