package dev.synapse.internal.pool;

import dev.synapse.internal.supervision.RestartWindow;

/**
 * A place for one worker in a pool: the member in it, if one is ready, the thread starting its next
 * member, if one is, and the restart history the pool's restart policy counts. Guarded by the
 * pool's lock.
 */
final class Slot {
  final int index;

  /** When this slot's members were replaced after dying, for the policy's sliding window. */
  final RestartWindow restarts;

  Member member;
  Thread starter;

  /** The restart policy gave up on this slot: it stays empty. */
  boolean down;

  /** Its member is being recycled (draining, or its replacement is starting). */
  boolean recycling;

  Slot(int index, RestartWindow restarts) {
    this.index = index;
    this.restarts = restarts;
  }
}
