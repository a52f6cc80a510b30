package dev.synapse.internal.supervision;

import dev.synapse.CallOutcome;
import dev.synapse.SynapseListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reports the call events of {@link SynapseListener} (started, completed, queue wait) where they
 * happen, without a hand-off: they are made for metrics and are promised to be quick. The only
 * places that report them are the front doors of a call ({@code Synapse} and the pool's engine),
 * the pool's dispatcher, and the supervisor where a stream is opened (a stream goes to one worker
 * and is never retried), so each call is counted once however many workers it is sent to. A stream
 * is a call from the moment it is opened until it is over: ended, failed or given up on.
 */
public final class CallEvents {
  private CallEvents() {}

  /**
   * Reports {@code call} as started now, and as completed when it completes; returns {@code call}.
   */
  public static <F extends CompletableFuture<Object>> F observe(
      SynapseListener listener, String module, String function, F call) {
    if (listener == Listeners.NONE) {
      return call; // nobody listens: no timing, no completion stage on every call
    }
    long started = System.nanoTime();
    Listeners.callHere(listener, l -> l.onCallStarted(module, function));
    call.whenComplete(
        (value, error) -> {
          long duration = System.nanoTime() - started;
          CallOutcome outcome = CallOutcome.of(unwrap(error));
          Listeners.callHere(listener, l -> l.onCallCompleted(module, function, duration, outcome));
        });
    return call;
  }

  /** Reports that a pool handed a call to a worker after {@code waitNanos} in its queue. */
  public static void queueWait(
      SynapseListener listener, String module, String function, long waitNanos) {
    Listeners.callHere(listener, l -> l.onQueueWait(module, function, waitNanos));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
