package dev.synapse.internal.pool;

import dev.synapse.internal.supervision.AnswerSpin;
import dev.synapse.internal.supervision.CallFuture;
import dev.synapse.internal.supervision.CallTerms;
import dev.synapse.internal.supervision.Scheduler;
import dev.synapse.internal.worker.PendingCall;
import java.util.concurrent.Executor;

/**
 * One call made to a pool, from the moment it is made until it is answered or given up on. It is
 * the future the caller holds, and completes as {@link CallFuture} says. Each time it is sent to a
 * worker it becomes a {@link PendingCall} of that worker's supervisor (more than one only when it
 * is retried); its timeout is a deadline that spans the time spent in the pool's queue and on every
 * worker it is sent to. Its timer is armed only while it waits in the queue.
 *
 * <p>Cancelling it cancels the call in the worker, or takes it out of the queue.
 */
public final class PoolCall extends CallFuture {
  private final Dispatcher dispatcher;
  private final int retries;
  private volatile PendingCall attempt;

  /** Guarded by the pool's lock. */
  int retriesLeft;

  /** When it last entered the pool's queue ({@link System#nanoTime()}); 0 if it did not. */
  private volatile long enqueuedAt;

  PoolCall(
      Dispatcher dispatcher,
      CallTerms terms,
      int retries,
      Executor completionExecutor,
      Scheduler scheduler) {
    super(terms, completionExecutor, scheduler);
    this.dispatcher = dispatcher;
    this.retries = retries;
    this.retriesLeft = retries;
  }

  /** How many times the request allows it to be sent again after its worker died. */
  int retries() {
    return retries;
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

  @Override
  public AnswerSpin answerSpin() {
    PendingCall sent = attempt;
    return sent == null ? null : sent.answerSpin();
  }

  @Override
  protected void givenUp() {
    PendingCall sent = attempt;
    if (sent != null) {
      sent.cancel(true);
    }
    dispatcher.cancelled(this);
  }
}
