package dev.synapse.internal.pool;

import dev.synapse.internal.worker.WorkerSupervisor;

/**
 * One worker of a pool, from the moment it is ready until the pool lets go of it. Its supervisor
 * never restarts it on its own (except where Synapse always replaces a worker: garbage on its
 * stdout, a seed-style call that timed out); when it dies, the pool gives its slot a new member.
 * Every field but the final ones is guarded by the pool's lock.
 *
 * <pre>
 *  LIVE ──a call failed: the worker exited──► SUSPECT ──supervisor down──► GONE (slot starts a new member)
 *    │                                           └──still up after a while──► LIVE
 *    ├──supervisor down (died while idle)─────────────────────────────────► GONE
 *    └──recycling due and allowed──► DRAINING ──last call done──► GONE (disposed, slot starts a new member)
 * </pre>
 */
final class Member {
  enum State {
    /** Takes calls. */
    LIVE,
    /**
     * A call failed because the worker exited; takes no calls until its supervisor says it is down.
     */
    SUSPECT,
    /** Being recycled: takes no calls, finishes the ones it has. */
    DRAINING,
    /** No longer part of the pool. */
    GONE
  }

  final Slot slot;
  final WorkerSupervisor supervisor;

  /** The pid of the worker it started with, for messages. */
  final long pid;

  State state = State.LIVE;
  int inFlight;
  long dispatched;

  /** Why it should be recycled, once it should; it keeps serving until recycling is allowed. */
  String recycleReason;

  Member(Slot slot, WorkerSupervisor supervisor) {
    this.slot = slot;
    this.supervisor = supervisor;
    this.pid = supervisor.workerInfo().map(info -> info.pid()).orElse(-1L);
  }
}
