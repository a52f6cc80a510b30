package dev.synapse.internal.supervision;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * The future a caller holds for one call, on a single worker or on a pool: how it completes, and
 * its deadline. It completes once; a call made asynchronously completes on the callback executor,
 * so that the caller's dependent stages never run on a worker's reader thread, while a blocking
 * call completes directly and saves that hand-off. (Each blocking caller then gets an exception of
 * its own, with the shared failure as its cause, where it waits.)
 *
 * <p>The deadline counts from the moment the call was made; a timer armed with {@link #armTimer}
 * fires when it passes, and stops once the call completes or is given up on. Giving up on the call
 * from the caller's side ({@link #cancel}, {@link #abandon}) tells the subclass, which takes the
 * call back from wherever it waits.
 */
public abstract class CallFuture extends CompletableFuture<Object> {
  private final String function;
  private final Object input;
  private final Duration cancelGrace;
  private final Duration timeout;
  private final long deadline;
  private final Executor completionExecutor;
  private final Scheduler scheduler;
  private volatile Future<?> timer;

  /**
   * @param terms what the call asks for
   * @param completionExecutor where the call completes, or {@code null} to complete it directly
   */
  protected CallFuture(CallTerms terms, Executor completionExecutor, Scheduler scheduler) {
    this.function = terms.function();
    this.input = terms.input();
    this.timeout = terms.timeout();
    this.cancelGrace = terms.cancelGrace();
    this.completionExecutor = completionExecutor;
    this.scheduler = scheduler;
    this.deadline = timeout.isZero() ? 0 : scheduler.read() + timeout.toNanos();
  }

  /** The handler called, or {@code null} for the module's only one. */
  public final String function() {
    return function;
  }

  public final Object input() {
    return input;
  }

  /** How long the worker may take to end this call once it was given up on. */
  public final Duration cancelGrace() {
    return cancelGrace;
  }

  /**
   * Where the call's time is read and its timers are set, and those of what follows from it (such
   * as the grace period of a call given up on).
   */
  public final Scheduler scheduler() {
    return scheduler;
  }

  /** The call's timeout; zero for none. */
  public final Duration timeout() {
    return timeout;
  }

  /**
   * Nanoseconds left until the deadline ({@link Long#MAX_VALUE} without a timeout); 0 or less once
   * it passed.
   */
  public final long remainingNanos() {
    return timeout.isZero() ? Long.MAX_VALUE : deadline - scheduler.read();
  }

  /**
   * Runs {@code onDeadline} on the scheduler's thread when the deadline passes, unless the call
   * completes or the timer is stopped first; replaces a timer armed before. Nothing without a
   * timeout.
   */
  public final void armTimer(Runnable onDeadline) {
    long left = remainingNanos();
    if (left == Long.MAX_VALUE) {
      return;
    }
    stopTimer();
    timer = scheduler.schedule(onDeadline, Math.max(0, left));
    if (isDone()) {
      stopTimer();
    }
  }

  /** Stops the timer, if one is armed. */
  public final void stopTimer() {
    Future<?> armed = timer;
    if (armed != null) {
      armed.cancel(false);
    }
  }

  /** Completes the call with its answer; nothing if it has completed already. */
  public void succeed(Object value) {
    settle(() -> complete(value));
  }

  /** Fails the call; nothing if it has completed already. */
  public void fail(Throwable error) {
    settle(() -> completeExceptionally(error));
  }

  private void settle(Runnable completion) {
    stopTimer();
    if (completionExecutor == null) {
      completion.run();
    } else {
      completionExecutor.execute(completion);
    }
  }

  /**
   * For a blocking caller, before it waits with {@link #get()}: spins for a short while if the
   * answer is likely to arrive meanwhile ({@link AnswerSpin}), so that it need not be woken.
   */
  public final void spinBriefly() {
    AnswerSpin spin = answerSpin();
    if (spin != null) {
      spin.spinBriefly(this);
    }
  }

  /**
   * The spin of the worker this call was sent to, if its caller may spin for the answer; {@code
   * null} if not.
   */
  public AnswerSpin answerSpin() {
    return null;
  }

  /**
   * Gives up on the call from the caller's side with {@code error} (e.g. a stream's timeout): fails
   * it at once, on this thread, and takes it back as a cancel does. False if it had completed
   * already.
   */
  public boolean abandon(Throwable error) {
    if (!completeExceptionally(error)) {
      return false;
    }
    stopTimer();
    givenUp();
    return true;
  }

  @Override
  public final boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      stopTimer();
      givenUp();
    }
    return cancelled;
  }

  /**
   * The caller gave up on the call, which is completed already: take it back from wherever it waits
   * or runs (and cancel it there).
   */
  protected abstract void givenUp();
}
