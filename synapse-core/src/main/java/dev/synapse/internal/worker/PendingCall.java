package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.OutboundFrame;
import dev.synapse.internal.supervision.AnswerSpin;
import dev.synapse.internal.supervision.CallFuture;
import dev.synapse.internal.supervision.CallTerms;
import dev.synapse.internal.supervision.Scheduler;
import java.util.concurrent.Executor;

/**
 * One call to a worker, from the moment it is made until it is answered, failed, timed out or
 * cancelled. It is the future the caller holds (or, in a pool, one attempt of the pool's call):
 * completing it is the answer; {@link CallFuture} says how it completes.
 *
 * <p>Its timeout fires into whoever owns the call at that moment ({@link CallOwner}): the
 * supervisor while no worker is ready, a worker's channel after that. Cancelling the future tells
 * the current owner, which cancels the call in the worker.
 *
 * <p>Not final only for {@link StreamCall}, whose future is the stream's outcome; the constructor
 * is package-private, so no other subclass can exist.
 */
public class PendingCall extends CallFuture {
  /**
   * Held by the channel while it puts the call in flight and sends its frame, and while it takes
   * the call back to cancel it: so a CANCEL never overtakes its CALL on the way to the worker.
   */
  final Object sending = new Object();

  private volatile CallOwner owner;
  private volatile long id;
  private volatile OutboundFrame frame;
  private volatile AnswerSpin answerSpin;

  PendingCall(CallTerms terms, Executor completionExecutor, Scheduler scheduler) {
    super(terms, completionExecutor, scheduler);
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

  /** Its caller may spin with {@code spin} for the answer; {@code null} if it should not. */
  void answerSpin(AnswerSpin spin) {
    this.answerSpin = spin;
  }

  @Override
  public AnswerSpin answerSpin() {
    return answerSpin;
  }

  void owner(CallOwner owner) {
    this.owner = owner;
  }

  /** Arms the timeout, if the call has one; it fires into whoever owns the call at that moment. */
  void startTimer() {
    armTimer(() -> owner.timedOut(this));
  }

  @Override
  protected void givenUp() {
    owner.cancelled(this);
  }
}
