package dev.synapse.internal.pool;

import dev.synapse.internal.worker.PendingCall;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * One call made to a pool, from the moment it is made until it is answered or given up on. It is
 * the future the caller holds. Each time it is sent to a worker it becomes a {@link PendingCall} of
 * that worker's supervisor (more than one only when it is retried); its timeout is a deadline that
 * spans the time spent in the pool's queue and on every worker it is sent to.
 *
 * <p>Like a {@code PendingCall}, it completes on the callback executor when it was made
 * asynchronously, so that the caller's stages never run on a worker's reader thread, and directly
 * when a caller is blocked on it. Cancelling it cancels the call in the worker, or takes it out of
 * the queue.
 */
public final class PoolCall extends CompletableFuture<Object> {
  private final Dispatcher dispatcher;
  private final String function;
  private final Object input;
  private final Duration timeout;
  private final long deadline;
  private final Executor completionExecutor;
  private final int retries;
  private final Duration cancelGrace;
  private volatile PendingCall attempt;

  /** Guarded by the pool's lock. */
  int retriesLeft;

  /**
   * Guarded by the pool's lock: fires when the deadline passes while the call waits in the queue.
   */
  ScheduledFuture<?> queueTimer;

  /** When it last entered the pool's queue ({@link System#nanoTime()}); 0 if it did not. */
  private volatile long enqueuedAt;

  PoolCall(
      Dispatcher dispatcher,
      String function,
      Object input,
      Duration timeout,
      int retries,
      Duration cancelGrace,
      Executor completionExecutor) {
    this.dispatcher = dispatcher;
    this.function = function;
    this.input = input;
    this.timeout = timeout;
    this.deadline = timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
    this.retries = retries;
    this.cancelGrace = cancelGrace;
    this.retriesLeft = retries;
    this.completionExecutor = completionExecutor;
  }

  String function() {
    return function;
  }

  Object input() {
    return input;
  }

  /** The call's timeout; zero for none. */
  Duration timeout() {
    return timeout;
  }

  /** The request's own grace period once given up on, or {@code null} for the default. */
  Duration cancelGrace() {
    return cancelGrace;
  }

  /** How many times the request allows it to be sent again after its worker died. */
  int retries() {
    return retries;
  }

  /**
   * Nanoseconds left until the deadline ({@link Long#MAX_VALUE} without a timeout); 0 or less once
   * it passed.
   */
  long remainingNanos() {
    return timeout.isZero() ? Long.MAX_VALUE : deadline - System.nanoTime();
  }

  /** It enters the pool's queue now. */
  void enqueued() {
    enqueuedAt = System.nanoTime();
  }

  /** How long it waited in the queue since it last entered it (0 if it did not); resets it. */
  long takeQueueWait() {
    long since = enqueuedAt;
    enqueuedAt = 0;
    return since == 0 ? 0 : Math.max(0, System.nanoTime() - since);
  }

  /** The worker's call this one was last sent as; cancelling this call cancels it. */
  void attach(PendingCall sent) {
    attempt = sent;
    if (isCancelled()) {
      sent.cancel(true);
    }
  }

  void succeed(Object value) {
    if (completionExecutor == null) {
      complete(value);
    } else {
      completionExecutor.execute(() -> complete(value));
    }
  }

  void fail(Throwable error) {
    if (completionExecutor == null) {
      completeExceptionally(error);
    } else {
      completionExecutor.execute(() -> completeExceptionally(error));
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      PendingCall sent = attempt;
      if (sent != null) {
        sent.cancel(true);
      }
      dispatcher.cancelled(this);
    }
    return cancelled;
  }
}
