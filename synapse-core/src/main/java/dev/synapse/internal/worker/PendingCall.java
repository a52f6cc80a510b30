package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.OutboundFrame;
import dev.synapse.internal.supervision.SharedThreads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call from the moment it is made until it is answered, failed, timed out or cancelled. It is
 * the future the caller holds: completing it is the answer.
 *
 * <p>A call made with {@code callAsync} completes on the callback executor, so that the caller's
 * dependent stages never run on a worker's reader thread; a blocking call completes directly and
 * saves that hand-off. Cancelling the future tells the current owner, which cancels the call in the
 * worker.
 *
 * <p>Not final only for {@link StreamCall}, whose future is the stream's outcome; the constructor
 * is package-private, so no other subclass can exist.
 */
public class PendingCall extends CompletableFuture<Object> {
  private final String function;
  private final Object input;
  private final Duration timeout;
  private final Duration cancelGrace;
  private final Executor completionExecutor;
  private volatile CallOwner owner;
  private volatile ScheduledFuture<?> timeoutTask;
  private volatile long id;
  private volatile OutboundFrame frame;

  PendingCall(
      String function,
      Object input,
      Duration timeout,
      Duration cancelGrace,
      Executor completionExecutor) {
    this.function = function;
    this.input = input;
    this.timeout = timeout;
    this.cancelGrace = cancelGrace;
    this.completionExecutor = completionExecutor;
  }

  String function() {
    return function;
  }

  Object input() {
    return input;
  }

  Duration timeout() {
    return timeout;
  }

  /** How long the worker may take to end this call once it was given up on. */
  Duration cancelGrace() {
    return cancelGrace;
  }

  long id() {
    return id;
  }

  void id(long id) {
    this.id = id;
  }

  /** The frame that carries the call to the worker. */
  OutboundFrame frame() {
    return frame;
  }

  void frame(OutboundFrame frame) {
    this.frame = frame;
  }

  void owner(CallOwner owner) {
    this.owner = owner;
  }

  /** Arms the timeout, if the call has one; it fires into whoever owns the call at that moment. */
  void startTimer() {
    if (!timeout.isZero()) {
      timeoutTask =
          SharedThreads.TIMER.schedule(
              () -> owner.timedOut(this), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Completes the call with its answer. */
  void succeed(Object value) {
    stopTimer();
    if (completionExecutor == null) {
      complete(value);
    } else {
      completionExecutor.execute(() -> complete(value));
    }
  }

  /** Fails the call. */
  void fail(Throwable error) {
    stopTimer();
    if (completionExecutor == null) {
      completeExceptionally(error);
    } else {
      completionExecutor.execute(() -> completeExceptionally(error));
    }
  }

  private void stopTimer() {
    ScheduledFuture<?> task = timeoutTask;
    if (task != null) {
      task.cancel(false);
    }
  }

  /**
   * Gives up on the call from the caller's side with {@code error} (e.g. a stream's timeout): fails
   * it and tells the owner to forget it, as a cancel does. False if it had completed already.
   */
  boolean abandon(Throwable error) {
    if (!completeExceptionally(error)) {
      return false;
    }
    stopTimer();
    owner.cancelled(this);
    return true;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      stopTimer();
      owner.cancelled(this);
    }
    return cancelled;
  }
}
