package dev.synapse.internal.worker;

/**
 * Whoever holds a call that has not been answered yet: the supervisor while no worker is ready, a
 * worker's channel after that. It is told when the caller gives up on the call.
 */
interface CallOwner {
  /** The call's timeout passed: fail it and forget it (and, if the protocol needs it, more). */
  void timedOut(PendingCall call);

  /** The caller cancelled the call's future, which is already completed: forget the call. */
  void cancelled(PendingCall call);
}
