package dev.synapse.internal.pool;

import dev.synapse.CallTimeoutException;
import dev.synapse.InstanceDisposedException;
import dev.synapse.ProtocolException;
import dev.synapse.Request;
import dev.synapse.SynapseException;
import dev.synapse.WorkerExitedException;
import dev.synapse.internal.supervision.CallEvents;
import dev.synapse.internal.supervision.SharedThreads;
import dev.synapse.internal.worker.EncodeFailures;
import dev.synapse.internal.worker.PendingCall;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Hands a pool's calls to its workers. A call goes to the {@link Member.State#LIVE live} worker
 * with the fewest calls in flight, if it holds fewer than {@code maxInFlightPerWorker}; ties go
 * round-robin. Otherwise the call waits in the queue, behind every call that waited before it: each
 * call that completes and each worker that becomes ready serves the queue from its head. A queued
 * call keeps its deadline: a timer fails it when the deadline passes in the queue, and a worker
 * gets only what is left.
 *
 * <p>A worker that dies fails its calls in flight, unless a call asked for retries: then it goes
 * back to the head of the queue. The first such failure makes the member {@link
 * Member.State#SUSPECT suspect}, so that the calls that follow do not rush to the worker that just
 * lost all its calls, until the {@link Healer} replaces it.
 *
 * <p>Every slot a call takes ({@link #take}) is given back exactly once: by the completion of the
 * worker's call, or, when it was not handed over, in {@link #send}'s {@code finally}.
 *
 * <p>Queued calls freed by a call that failed are sent from {@link SharedThreads#LIFECYCLE} (the
 * failure may have been noticed under a supervisor's lock); those freed by an answer are sent from
 * the reader thread that read it (which never runs users' code).
 *
 * <p>A little over the ~400 lines an internal class keeps to: streams take their worker by the same
 * pick and count under the pool's lock as calls do, so their opening stays here too.
 */
final class Dispatcher {
  /**
   * How long a suspect member whose supervisor did not go down waits before it takes calls again.
   */
  private static final long SUSPICION_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** A call taken off the queue under the lock, to be sent to its member after it. */
  record Dispatch(PoolCall call, Member member) {}

  private final PoolState state;
  private final Recycler recycler;
  private final ArrayDeque<PoolCall> queue = new ArrayDeque<>();
  private int rotation;

  Dispatcher(PoolState state, Recycler recycler) {
    this.state = state;
    this.recycler = recycler;
  }

  /** Makes a call; it is sent now if a worker has room, else queued. */
  void submit(PoolCall call) {
    state.assertNotHeld();
    Member target = null;
    boolean refused = false;
    synchronized (state.lock) {
      if (state.closed) {
        throw new IllegalStateException("Cannot send inputs to the pool: it was disposed.");
      }
      if (queue.isEmpty()) {
        target = pick();
      }
      if (target != null) {
        take(target);
      } else if (state.allDown()) {
        refused = true;
      } else {
        enqueue(call, false);
      }
    }
    if (refused) {
      call.fail(PoolErrors.notRunning(state));
    } else if (target != null) {
      send(call, target);
    }
  }

  /** The live member with the fewest calls in flight and room for one more; null if none. */
  private Member pick() {
    state.assertHeld();
    Slot[] slots = state.slots;
    int n = slots.length;
    int start = Math.floorMod(rotation++, n);
    int limit = state.settings.maxInFlightPerWorker();
    Member best = null;
    for (int k = 0; k < n; k++) {
      Member m = slots[(start + k) % n].member;
      if (m != null
          && m.state == Member.State.LIVE
          && m.inFlight < limit
          && (best == null || m.inFlight < best.inFlight)) {
        best = m;
      }
    }
    return best;
  }

  /** Counts a call given to {@code member}; it may make the member due for recycling. */
  private void take(Member member) {
    member.inFlight++;
    member.dispatched++;
    recycler.counted(member);
  }

  private void enqueue(PoolCall call, boolean first) {
    state.assertHeld();
    call.enqueued();
    if (first) {
      queue.addFirst(call);
    } else {
      queue.addLast(call);
    }
    call.armTimer(() -> queueDeadline(call));
  }

  private void queueDeadline(PoolCall call) {
    boolean removed;
    synchronized (state.lock) {
      removed = queue.remove(call);
    }
    if (removed) {
      call.fail(new CallTimeoutException(call.timeout(), false));
    }
  }

  /** Takes calls off the head of the queue for as long as a worker has room. */
  List<Dispatch> drainQueue() {
    state.assertHeld();
    List<Dispatch> out = List.of();
    while (!queue.isEmpty()) {
      PoolCall head = queue.peekFirst();
      if (head.isDone()) {
        queue.pollFirst();
        continue;
      }
      Member target = pick();
      if (target == null) {
        break;
      }
      queue.pollFirst();
      head.stopTimer();
      take(target);
      if (out.isEmpty()) {
        out = new ArrayList<>();
      }
      out.add(new Dispatch(head, target));
    }
    return out;
  }

  void send(List<Dispatch> dispatches) {
    for (Dispatch d : dispatches) {
      send(d.call(), d.member());
    }
  }

  /** Sends {@code call} to {@code member}, which already counts it; outside the lock. */
  private void send(PoolCall call, Member member) {
    state.assertNotHeld();
    long left = call.remainingNanos();
    if (call.isDone() || left <= 0) {
      released(member);
      if (left <= 0) {
        call.fail(new CallTimeoutException(call.timeout(), false));
      }
      return;
    }
    CallEvents.queueWait(
        state.config.listener(), state.config.module(), call.function(), call.takeQueueWait());
    boolean handedOver = false;
    try {
      Duration timeout = left == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(left);
      PendingCall sent =
          member.supervisor.submit(
              call.function(), call.input(), timeout, call.cancelGrace(), false);
      handedOver = true; // from here the completion of sent gives the slot back
      try {
        call.attach(sent); // before completed() may send a retry, which attaches its own
      } finally {
        sent.whenComplete((value, error) -> completed(call, member, value, error));
      }
    } catch (IllegalStateException e) { // an input stream for a seed-style module
      call.fail(e);
    } catch (Throwable e) {
      call.fail(EncodeFailures.of(e));
    } finally {
      if (!handedOver) {
        released(member);
      }
    }
  }

  /** A call counted for {@code member} was not sent after all. */
  private void released(Member member) {
    send(giveBack(member));
  }

  /** Gives back a slot of {@code member}; returns the queued calls that can go now. */
  private List<Dispatch> giveBack(Member member) {
    synchronized (state.lock) {
      member.inFlight--;
      recycler.retireIfDrained(member);
      return drainQueue();
    }
  }

  /**
   * A call sent to {@code member} completed; runs where it completed, possibly under a supervisor's
   * lock.
   */
  private void completed(PoolCall call, Member member, Object value, Throwable error) {
    boolean retry = false;
    boolean wasClosed;
    int retried;
    List<Dispatch> next;
    synchronized (state.lock) {
      wasClosed = state.closed;
      if (error instanceof InstanceDisposedException && !wasClosed) {
        // Sent to a member that the pool let go of meanwhile (its worker died): the call did not
        // reach a worker, so it fails or is retried like the calls of that worker.
        error = PoolErrors.memberGone(member, error);
      }
      boolean workerDied =
          error instanceof WorkerExitedException || error instanceof ProtocolException;
      member.inFlight--;
      if (workerDied && member.state == Member.State.LIVE && !state.closed) {
        member.state = Member.State.SUSPECT;
        state.scheduler.schedule(
            () -> SharedThreads.LIFECYCLE.execute(() -> clearSuspicion(member)), SUSPICION_NANOS);
      }
      if (workerDied
          && !state.closed
          && call.retriesLeft > 0
          && !call.isDone()
          && !state.allDown()) {
        call.retriesLeft--;
        retry = true;
        enqueue(call, true);
      }
      retried = call.retries() - call.retriesLeft;
      recycler.retireIfDrained(member);
      next = drainQueue();
    }
    if (!retry) {
      if (error == null) {
        call.succeed(value);
      } else {
        call.fail(PoolErrors.translate(call, member, error, wasClosed, retried));
      }
    }
    if (!next.isEmpty()) {
      if (error == null) {
        send(next);
      } else {
        SharedThreads.LIFECYCLE.execute(() -> send(next));
      }
    }
  }

  /** A suspect member whose supervisor is still up after a while was not dead after all. */
  private void clearSuspicion(Member member) {
    if (member.supervisor.whenDown().isDone() || !member.supervisor.isRunning()) {
      return;
    }
    List<Dispatch> next;
    synchronized (state.lock) {
      if (state.closed || member.state != Member.State.SUSPECT) {
        return;
      }
      member.state = Member.State.LIVE;
      state.lock.notifyAll(); // streams waiting for a live worker
      next = drainQueue();
    }
    send(next);
  }

  /**
   * Opens a stream on the live worker with the fewest calls in flight (streams do not wait in the
   * queue: the limit of calls in flight does not hold them back). While no worker is live (they are
   * starting or being replaced) it waits for one, at most the stream's timeout. The stream counts
   * as a call of that worker until it is over, so a worker due for recycling drains it first.
   *
   * @throws CallTimeoutException if no worker became live within the stream's timeout
   * @throws SynapseException if every worker is down, or the thread was interrupted while waiting
   */
  Stream<Object> stream(Request request) {
    state.assertNotHeld();
    Duration timeout = state.timeoutOf(request);
    Member target = awaitLiveMember(timeout);
    if (target == null) {
      throw PoolErrors.notRunning(state);
    }
    boolean handedOver = false;
    try {
      WorkerSupervisor.OpenStream open =
          target.supervisor.openStream(
              request.function(), request.input(), request.timeout(), request.cancelGrace());
      handedOver = true; // from here the end of the stream gives the slot back
      open.over().whenComplete((value, error) -> streamOver(target));
      return open.items();
    } finally {
      if (!handedOver) {
        released(target);
      }
    }
  }

  /**
   * Takes the live member with the fewest calls in flight, waiting while there is none, for at most
   * {@code timeout} (zero: no limit); null if every slot is down.
   */
  private Member awaitLiveMember(Duration timeout) {
    state.assertNotHeld();
    StreamWait wait = new StreamWait();
    Future<?> timer =
        timeout.isZero() ? null : state.scheduler.schedule(wait::expire, timeout.toNanos());
    try {
      synchronized (state.lock) {
        while (true) {
          if (state.closed) {
            throw new IllegalStateException("Cannot send inputs to the pool: it was disposed.");
          }
          Member target = pickAny();
          if (target != null) {
            take(target);
            return target;
          }
          if (state.allDown()) {
            return null;
          }
          if (wait.expired) {
            throw new CallTimeoutException(timeout, false);
          }
          state.lock.wait(); // notified when a member turns live or a slot goes down; or the timer
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SynapseException(
          "Interrupted while waiting for a worker of the pool to open a stream");
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  /** Whether a stream's wait for a live worker has run out of time; guarded by the pool's lock. */
  private final class StreamWait {
    boolean expired;

    void expire() {
      synchronized (state.lock) {
        expired = true;
        state.lock.notifyAll();
      }
    }
  }

  /** The live member with the fewest calls in flight, whatever the limit; null if none. */
  private Member pickAny() {
    state.assertHeld();
    Member best = null;
    for (Slot slot : state.slots) {
      Member m = slot.member;
      if (m != null
          && m.state == Member.State.LIVE
          && (best == null || m.inFlight < best.inFlight)) {
        best = m;
      }
    }
    return best;
  }

  /** A stream of {@code member} is over; may run under a supervisor's lock, so sends elsewhere. */
  private void streamOver(Member member) {
    List<Dispatch> next = giveBack(member);
    if (!next.isEmpty()) {
      SharedThreads.LIFECYCLE.execute(() -> send(next));
    }
  }

  /** The caller cancelled {@code call}: it leaves the queue if it is there. */
  void cancelled(PoolCall call) {
    synchronized (state.lock) {
      queue.remove(call);
    }
  }

  /** When every slot is down, empties the queue and returns what was in it. */
  List<PoolCall> refuseQueueIfDown() {
    state.assertHeld();
    if (!state.allDown() || queue.isEmpty()) {
      return List.of();
    }
    return takeQueue();
  }

  /** Empties the queue and returns what was in it. */
  List<PoolCall> takeQueue() {
    state.assertHeld();
    List<PoolCall> taken = new ArrayList<>(queue);
    queue.clear();
    return taken;
  }
}
