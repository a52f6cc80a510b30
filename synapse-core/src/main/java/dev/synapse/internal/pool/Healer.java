package dev.synapse.internal.pool;

import dev.synapse.SpawnException;
import dev.synapse.internal.supervision.Failures;
import dev.synapse.internal.supervision.SharedThreads;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pool's slots filled: starts the first members, replaces a member whose worker died after
 * the restart policy's backoff (its supervisor's {@link WorkerSupervisor#whenDown()} also notices a
 * worker that died while idle), and starts the successor of a recycled one. When the policy gives
 * up on a slot it stays empty; when it gave up on all of them, the pool is down: queued and new
 * calls fail at once.
 *
 * <p>Each start of a member runs on a thread of its own ({@link Slot#starter}), so that dispose can
 * interrupt it and wait for it; a retired member is disposed on that thread too.
 */
final class Healer {
  private static final Logger LOG = LoggerFactory.getLogger(Healer.class);

  private final PoolState state;
  private final Dispatcher dispatcher;
  private final Recycler recycler;

  /** Guarded by the pool's lock: why the first start of the pool fails. */
  private RuntimeException startFailure;

  Healer(PoolState state, Dispatcher dispatcher, Recycler recycler) {
    this.state = state;
    this.dispatcher = dispatcher;
    this.recycler = recycler;
  }

  /**
   * Starts the first member of every slot at once; returns the failure, or null once all are up.
   */
  RuntimeException startAll() {
    synchronized (state.lock) {
      for (Slot slot : state.slots) {
        launch(slot, 0, 0, null, null);
      }
    }
    return awaitStarted();
  }

  private RuntimeException awaitStarted() {
    synchronized (state.lock) {
      while (startFailure == null && !checkStarted()) {
        try {
          state.lock.wait();
        } catch (InterruptedException e) {
          // The caller restores the interrupt once the pool is disposed.
          startFailure =
              new SpawnException("Interrupted while waiting for the pool's workers to start", e);
        }
      }
      return startFailure;
    }
  }

  /**
   * Whether every slot has its first member; a slot that went down meanwhile sets the start's
   * failure.
   */
  private boolean checkStarted() {
    for (Slot slot : state.slots) {
      if (slot.down) {
        startFailure =
            new SpawnException(
                "A worker of the pool died while the others were starting: "
                    + Failures.firstLine(state.lastFailure.getMessage()),
                state.lastFailure);
        return false;
      }
      if (slot.member == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts a thread that disposes {@code retired} (if any), waits {@code delayNanos}, and starts a
   * new member in {@code slot}. Attempt 0 is a member of the pool's start.
   */
  void launch(Slot slot, int attempt, long delayNanos, String reason, Member retired) {
    state.assertHeld();
    Thread starter =
        SharedThreads.daemonThread(
            "synapse-pool-start-" + state.config.module() + "-" + slot.index,
            () -> startMember(slot, attempt, delayNanos, reason, retired));
    slot.starter = starter;
    starter.start();
  }

  private void startMember(Slot slot, int attempt, long delayNanos, String reason, Member retired) {
    try {
      if (retired != null) {
        reportRetired(slot, retired, reason);
        retired.supervisor.dispose();
      }
      if (!waitUnlessClosed(delayNanos)) {
        return;
      }
      if (reason != null) {
        state.config.notifyListener(
            l -> l.onWorkerRestarting(state.config.module(), reason, attempt));
      }
      WorkerSupervisor supervisor;
      try {
        supervisor = WorkerSupervisor.start(state.config, state.scheduler);
      } catch (RuntimeException e) {
        startFailed(slot, attempt, reason, e);
        return;
      }
      install(slot, supervisor);
    } finally {
      synchronized (state.lock) {
        if (slot.starter == Thread.currentThread()) {
          slot.starter = null;
        }
      }
    }
  }

  /** Tells the listener why {@code retired} left {@code slot}: recycled, or died and replaced. */
  private void reportRetired(Slot slot, Member retired, String reason) {
    boolean recycled;
    synchronized (state.lock) {
      recycled = slot.recycling; // set by the Recycler, cleared when a worker died
    }
    String module = state.config.module();
    state.config.notifyListener(
        recycled
            ? l -> l.onWorkerRecycled(module, retired.pid, reason)
            : l -> l.onWorkerReplaced(module, retired.pid, reason));
  }

  /**
   * Waits {@code delayNanos} on the pool's scheduler unless the pool closes meanwhile (dispose
   * interrupts this thread); false if it is closed.
   */
  private boolean waitUnlessClosed(long delayNanos) {
    if (delayNanos > 0) {
      CountDownLatch due = new CountDownLatch(1);
      Future<?> timer = state.scheduler.schedule(due::countDown, delayNanos);
      try {
        due.await();
      } catch (InterruptedException e) {
        timer.cancel(false);
        return false;
      }
    }
    synchronized (state.lock) {
      return !state.closed;
    }
  }

  private void startFailed(Slot slot, int attempt, String reason, RuntimeException e) {
    List<PoolCall> refused;
    synchronized (state.lock) {
      if (state.closed) {
        return;
      }
      if (attempt == 0) {
        if (startFailure == null) {
          startFailure = e;
        } else {
          startFailure.addSuppressed(e);
        }
        state.lock.notifyAll();
        return;
      }
      state.lastFailure = e;
      slot.recycling = false;
      if (slot.restarts.tryRestart()) {
        LOG.warn(
            "A new worker of module {} failed to start; trying again: {}",
            state.config.module(),
            e.getMessage());
        launch(slot, attempt + 1, slot.restarts.backoff(attempt + 1).toNanos(), reason, null);
        return;
      }
      LOG.warn(
          "A new worker of module {} failed to start; the restart policy ({}) gives up on it: {}",
          state.config.module(),
          state.settings.restartPolicy(),
          e.getMessage());
      slot.down = true;
      refused = dispatcher.refuseQueueIfDown();
      state.lock.notifyAll();
    }
    refuse(refused);
  }

  /** A started supervisor joins the pool, and takes queued calls. */
  private void install(Slot slot, WorkerSupervisor supervisor) {
    Member member = new Member(slot, supervisor);
    List<Dispatcher.Dispatch> next;
    synchronized (state.lock) {
      if (state.closed) {
        next = null;
      } else {
        slot.member = member;
        slot.recycling = false;
        state.lock.notifyAll();
        next = dispatcher.drainQueue();
        recycler.startDueRecycles();
      }
    }
    if (next == null) {
      supervisor.dispose();
      return;
    }
    supervisor
        .whenDown()
        .whenCompleteAsync((cause, error) -> memberDown(member, cause), SharedThreads.LIFECYCLE);
    dispatcher.send(next);
  }

  /** {@code member}'s supervisor is down: its worker died. */
  private void memberDown(Member member, RuntimeException cause) {
    List<PoolCall> refused;
    synchronized (state.lock) {
      if (state.closed || member.state == Member.State.GONE) {
        return;
      }
      Slot slot = member.slot;
      member.state = Member.State.GONE;
      slot.member = null;
      slot.recycling = false;
      state.lastFailure = cause;
      String reason = "worker " + member.pid + " ended: " + Failures.firstLine(cause.getMessage());
      if (slot.restarts.tryRestart()) {
        LOG.warn(
            "A worker of module {} in a pool ended; replacing it: {}",
            state.config.module(),
            cause.getMessage());
        launch(slot, 1, slot.restarts.backoff().toNanos(), reason, member);
        return;
      }
      LOG.warn(
          "A worker of module {} in a pool ended; the restart policy ({}) does not replace it: {}",
          state.config.module(),
          state.settings.restartPolicy(),
          cause.getMessage());
      slot.down = true;
      refused = dispatcher.refuseQueueIfDown();
      state.lock.notifyAll();
    }
    member.supervisor.dispose();
    refuse(refused);
  }

  private void refuse(List<PoolCall> refused) {
    state.assertNotHeld();
    if (!refused.isEmpty()) {
      RuntimeException refusal = PoolErrors.notRunning(state);
      refused.forEach(call -> call.fail(refusal));
    }
  }
}
