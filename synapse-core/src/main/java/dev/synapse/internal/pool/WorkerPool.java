package dev.synapse.internal.pool;

import dev.synapse.CallTimeoutException;
import dev.synapse.ProtocolException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.SpawnException;
import dev.synapse.SynapseListener;
import dev.synapse.WorkerExitedException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.worker.EncodeFailures;
import dev.synapse.internal.worker.PendingCall;
import dev.synapse.internal.worker.WorkerConfig;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of a {@code SynapsePool}: {@code size} workers of one module, each a {@link
 * WorkerSupervisor} that does not restart on its own, and one FIFO queue for the calls that find no
 * worker with room.
 *
 * <p><b>Dispatch.</b> A call goes to the {@link Member.State#LIVE live} worker with the fewest
 * calls in flight, if it holds fewer than {@code maxInFlightPerWorker}; ties go round-robin.
 * Otherwise the call waits in the queue, behind every call that waited before it: each call that
 * completes and each worker that becomes ready serves the queue from its head. A queued call keeps
 * its deadline: a timer fails it when the deadline passes in the queue, and a worker gets only what
 * is left.
 *
 * <p><b>Healing.</b> A worker that dies fails its calls in flight with {@link
 * WorkerExitedException} (re-worded to say the pool replaces it), unless a call asked for retries
 * ({@link Request#withRetries}): then it goes back to the head of the queue. The first such failure
 * makes the member {@link Member.State#SUSPECT suspect}, so that the calls that follow do not rush
 * to the worker that just lost all its calls; its supervisor's {@link WorkerSupervisor#whenDown()}
 * (which also notices a worker that died while idle) then frees the slot, and a new member starts
 * in it after the restart policy's backoff, while the other workers keep serving. When the policy
 * gives up on a slot it stays empty; when it gave up on all of them, the pool is down: queued and
 * new calls fail at once.
 *
 * <p><b>Recycling.</b> A worker that was given {@code recycleAfterCalls} calls, or whose resident
 * memory exceeds the limit (read every {@code memoryCheckInterval}), is due. It keeps serving until
 * recycling is allowed, at most a quarter of the slots (at least one) at a time so that the pool
 * keeps most of its capacity; then it takes no new calls ({@link Member.State#DRAINING draining}),
 * and once its last call is answered it is shut down (stdin closed, as {@code dispose} does) and a
 * new member starts. No call fails: the calls it would have taken go to other workers or wait.
 *
 * <p><b>Threads and locks.</b> One lock guards the bookkeeping (members, slots, queue). Nothing is
 * called on a supervisor, a call's future or the listener while it is held, because supervisors
 * complete calls, and so call back into the pool, from inside their own locks. For the same reason,
 * queued calls freed by a call that failed are sent from {@link PoolThreads#EXECUTOR}; those freed
 * by an answer are sent from the reader thread that read it (which never runs users' code: pool
 * calls made asynchronously complete on the callback executor). Each start of a member runs on a
 * thread of its own, so that {@link #dispose()} can interrupt it and wait for it.
 *
 * <p><b>Dispose</b>, in this order: no new calls; the queue fails with {@link
 * IllegalStateException}; starting members are interrupted (which kills their process); every
 * member is disposed in parallel (its calls in flight fail with {@link WorkerExitedException});
 * dispose returns once all of that is done.
 */
public final class WorkerPool {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

  /**
   * How long a suspect member whose supervisor did not go down waits before it takes calls again.
   */
  private static final long SUSPICION_NANOS = TimeUnit.SECONDS.toNanos(5);

  private record Dispatch(PoolCall call, Member member) {}

  private final WorkerConfig config;
  private final PoolSettings settings;
  private final Object lock = new Object();
  private final Slot[] slots;
  private final ArrayDeque<PoolCall> queue = new ArrayDeque<>();
  private int rotation;
  private boolean closed;

  /** Why the last member ended or failed to start. */
  private RuntimeException lastFailure;

  /** Why {@link #start} fails. */
  private RuntimeException startFailure;

  private ScheduledFuture<?> memoryCheck;

  private WorkerPool(WorkerConfig config, PoolSettings settings) {
    this.config = memberConfig(config);
    this.settings = settings;
    this.slots = new Slot[settings.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i);
    }
  }

  /**
   * The workers' configuration with a policy of never restarting: the pool replaces them itself.
   */
  private static WorkerConfig memberConfig(WorkerConfig c) {
    return new WorkerConfig(
        c.script(),
        c.module(),
        c.python(),
        c.startupTimeout(),
        c.shutdownGrace(),
        c.callTimeout(),
        c.maxFrameBytes(),
        RestartPolicy.never(),
        c.listener(),
        c.callbackExecutor(),
        c.environment());
  }

  /**
   * Starts {@code settings.size()} workers at once and returns when all are ready.
   *
   * @throws SpawnException if any of them does not become ready (the others are disposed first);
   *     the failures of the others, if any, are suppressed in it
   */
  public static WorkerPool start(WorkerConfig config, PoolSettings settings) {
    WorkerPool pool = new WorkerPool(config, settings);
    synchronized (pool.lock) {
      for (Slot slot : pool.slots) {
        pool.launch(slot, 0, 0, null, null);
      }
    }
    pool.awaitStarted();
    pool.scheduleMemoryCheck();
    return pool;
  }

  private void awaitStarted() {
    RuntimeException failure;
    boolean interrupted = false;
    synchronized (lock) {
      while (startFailure == null && !checkStarted()) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
          startFailure =
              new SpawnException("Interrupted while waiting for the pool's workers to start", e);
        }
      }
      failure = startFailure;
    }
    if (failure != null) {
      dispose();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw failure;
    }
  }

  /**
   * Whether every slot has its first member; a slot that went down meanwhile sets the start's
   * failure.
   */
  private boolean checkStarted() {
    for (Slot slot : slots) {
      if (slot.down) {
        startFailure =
            new SpawnException(
                "A worker of the pool died while the others were starting: "
                    + firstLine(lastFailure.getMessage()),
                lastFailure);
        return false;
      }
      if (slot.member == null) {
        return false;
      }
    }
    return true;
  }

  /** Makes a call; it is sent now if a worker has room, else queued. */
  public PoolCall submit(Request request, boolean async) {
    Duration timeout = request.timeout() == null ? config.callTimeout() : request.timeout();
    PoolCall call =
        new PoolCall(
            this,
            request.function(),
            request.input(),
            timeout,
            request.retries(),
            async ? config.callbackExecutor() : null);
    Member target = null;
    RuntimeException refusal = null;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("Cannot send inputs to the pool: it was disposed.");
      }
      if (queue.isEmpty()) {
        target = pick();
      }
      if (target != null) {
        take(target);
      } else if (allDown()) {
        refusal = notRunning();
      } else {
        enqueue(call, false);
      }
    }
    if (refusal != null) {
      call.fail(refusal);
    } else if (target != null) {
      send(call, target);
    }
    return call;
  }

  /** The live member with the fewest calls in flight and room for one more; null if none. */
  private Member pick() {
    int n = slots.length;
    int start = Math.floorMod(rotation++, n);
    Member best = null;
    for (int k = 0; k < n; k++) {
      Member m = slots[(start + k) % n].member;
      if (m != null
          && m.state == Member.State.LIVE
          && m.inFlight < settings.maxInFlightPerWorker()
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
    long limit = settings.recycleAfterCalls();
    if (limit > 0 && member.dispatched >= limit && member.recycleReason == null) {
      member.recycleReason = "it was given " + member.dispatched + " calls";
      startDueRecycles();
    }
  }

  private void enqueue(PoolCall call, boolean first) {
    if (first) {
      queue.addFirst(call);
    } else {
      queue.addLast(call);
    }
    long left = call.remainingNanos();
    if (left != Long.MAX_VALUE && (call.queueTimer == null || call.queueTimer.isDone())) {
      call.queueTimer =
          PoolThreads.TIMER.schedule(
              () -> queueDeadline(call), Math.max(0, left), TimeUnit.NANOSECONDS);
    }
  }

  private void queueDeadline(PoolCall call) {
    boolean removed;
    synchronized (lock) {
      removed = queue.remove(call);
    }
    if (removed) {
      call.fail(new CallTimeoutException(call.timeout(), false));
    }
  }

  /** Takes calls off the head of the queue for as long as a worker has room. */
  private List<Dispatch> drainQueue() {
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
      if (head.queueTimer != null) {
        head.queueTimer.cancel(false);
      }
      take(target);
      if (out.isEmpty()) {
        out = new ArrayList<>();
      }
      out.add(new Dispatch(head, target));
    }
    return out;
  }

  private void send(List<Dispatch> dispatches) {
    for (Dispatch d : dispatches) {
      send(d.call(), d.member());
    }
  }

  /** Sends {@code call} to {@code member}, which already counts it; outside the lock. */
  private void send(PoolCall call, Member member) {
    long left = call.remainingNanos();
    if (call.isDone() || left <= 0) {
      released(member);
      if (left <= 0) {
        call.fail(new CallTimeoutException(call.timeout(), false));
      }
      return;
    }
    boolean handedOver = false;
    try {
      Duration timeout = left == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(left);
      PendingCall sent = member.supervisor.submit(call.function(), call.input(), timeout, false);
      handedOver = true; // from here the completion of sent gives the slot back
      sent.whenComplete((value, error) -> completed(call, member, value, error));
      call.attach(sent);
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
    List<Dispatch> next;
    synchronized (lock) {
      member.inFlight--;
      retireIfDrained(member);
      next = drainQueue();
    }
    send(next);
  }

  /**
   * A call sent to {@code member} completed; runs where it completed, possibly under a supervisor's
   * lock.
   */
  private void completed(PoolCall call, Member member, Object value, Throwable error) {
    boolean workerDied =
        error instanceof WorkerExitedException || error instanceof ProtocolException;
    boolean retry = false;
    boolean wasClosed;
    int retried;
    List<Dispatch> next;
    synchronized (lock) {
      wasClosed = closed;
      member.inFlight--;
      if (workerDied && member.state == Member.State.LIVE && !closed) {
        member.state = Member.State.SUSPECT;
        PoolThreads.TIMER.schedule(
            () -> PoolThreads.EXECUTOR.execute(() -> clearSuspicion(member)),
            SUSPICION_NANOS,
            TimeUnit.NANOSECONDS);
      }
      if (workerDied && !closed && call.retriesLeft > 0 && !call.isDone() && !allDown()) {
        call.retriesLeft--;
        retry = true;
        enqueue(call, true);
      }
      retried = call.retries() - call.retriesLeft;
      retireIfDrained(member);
      next = drainQueue();
    }
    if (!retry) {
      if (error == null) {
        call.succeed(value);
      } else {
        call.fail(translate(call, member, error, wasClosed, retried));
      }
    }
    if (!next.isEmpty()) {
      if (error == null) {
        send(next);
      } else {
        PoolThreads.EXECUTOR.execute(() -> send(next));
      }
    }
  }

  /**
   * The failure of a call as the pool reports it: its own timeout, and a dead worker named as such.
   */
  private static Throwable translate(
      PoolCall call, Member member, Throwable error, boolean wasClosed, int retried) {
    if (error instanceof CallTimeoutException timedOut) {
      CallTimeoutException e = new CallTimeoutException(call.timeout(), timedOut.workerReplaced());
      e.initCause(timedOut);
      return e;
    }
    if (error instanceof WorkerExitedException exited) {
      String message =
          wasClosed
              ? "The pool was disposed before the worker answered"
              : "Worker "
                  + member.pid
                  + " of the pool ended before it answered (exit code "
                  + exited.exitCode()
                  + "); the pool replaces it and its other workers keep serving"
                  + (retried > 0
                      ? " (the call was sent "
                          + (retried + 1)
                          + " times, the most its request allows)"
                      : "");
      WorkerExitedException e =
          new WorkerExitedException(message, exited.exitCode(), exited.stderrTail());
      e.initCause(exited);
      return e;
    }
    return error;
  }

  /** A suspect member whose supervisor is still up after a while was not dead after all. */
  private void clearSuspicion(Member member) {
    if (member.supervisor.whenDown().isDone() || !member.supervisor.isAlive()) {
      return;
    }
    List<Dispatch> next;
    synchronized (lock) {
      if (closed || member.state != Member.State.SUSPECT) {
        return;
      }
      member.state = Member.State.LIVE;
      next = drainQueue();
    }
    send(next);
  }

  /** {@code member}'s supervisor is down: its worker died. Runs on {@link PoolThreads#EXECUTOR}. */
  private void memberDown(Member member, RuntimeException cause) {
    List<PoolCall> refused;
    synchronized (lock) {
      if (closed || member.state == Member.State.GONE) {
        return;
      }
      Slot slot = member.slot;
      member.state = Member.State.GONE;
      slot.member = null;
      slot.recycling = false;
      lastFailure = cause;
      String reason = "worker " + member.pid + " ended: " + firstLine(cause.getMessage());
      if (mayRestart(slot)) {
        LOG.warn(
            "A worker of module {} in a pool ended; replacing it: {}",
            config.module(),
            cause.getMessage());
        launch(
            slot,
            1,
            settings.restartPolicy().backoff(slot.restartTimes.size()).toNanos(),
            reason,
            member);
        return;
      }
      LOG.warn(
          "A worker of module {} in a pool ended; the restart policy ({}) does not replace it: {}",
          config.module(),
          settings.restartPolicy(),
          cause.getMessage());
      slot.down = true;
      refused = refuseQueueIfDown();
      lock.notifyAll();
    }
    member.supervisor.dispose();
    RuntimeException refusal = refused.isEmpty() ? null : notRunningUnlocked();
    refused.forEach(call -> call.fail(refusal));
  }

  /**
   * Counts a restart of {@code slot} against the policy's window; false when the limit is reached.
   */
  private boolean mayRestart(Slot slot) {
    RestartPolicy policy = settings.restartPolicy();
    if (!policy.restarts()) {
      return false;
    }
    long now = System.nanoTime();
    while (!slot.restartTimes.isEmpty()
        && now - slot.restartTimes.peekFirst() > policy.window().toNanos()) {
      slot.restartTimes.removeFirst();
    }
    if (slot.restartTimes.size() >= policy.maxRestarts()) {
      return false;
    }
    slot.restartTimes.addLast(now);
    return true;
  }

  /** Starts recycling due members, as far as the limit of recycles at once allows. */
  private void startDueRecycles() {
    if (closed) {
      return;
    }
    int limit = Math.max(1, slots.length / 4);
    int active = 0;
    for (Slot slot : slots) {
      if (slot.recycling) {
        active++;
      }
    }
    for (Slot slot : slots) {
      if (active >= limit) {
        return;
      }
      Member m = slot.member;
      if (m != null && m.state == Member.State.LIVE && m.recycleReason != null) {
        m.state = Member.State.DRAINING;
        slot.recycling = true;
        active++;
        retireIfDrained(m);
      }
    }
  }

  /** A draining member without calls leaves its slot, and a new member starts there. */
  private void retireIfDrained(Member member) {
    if (closed || member.state != Member.State.DRAINING || member.inFlight > 0) {
      return;
    }
    member.state = Member.State.GONE;
    member.slot.member = null;
    String reason = "recycling worker " + member.pid + ": " + member.recycleReason;
    LOG.info("Module {}: {}", config.module(), reason);
    launch(member.slot, 1, 0, reason, member);
  }

  /**
   * Starts a thread that disposes {@code retired} (if any), waits {@code delayNanos}, and starts a
   * new member in {@code slot}. Attempt 0 is a member of the pool's start.
   */
  private void launch(Slot slot, int attempt, long delayNanos, String reason, Member retired) {
    Thread starter =
        PoolThreads.daemonThread(
            "synapse-pool-start-" + config.module() + "-" + slot.index,
            () -> startMember(slot, attempt, delayNanos, reason, retired));
    slot.starter = starter;
    starter.start();
  }

  private void startMember(Slot slot, int attempt, long delayNanos, String reason, Member retired) {
    try {
      if (retired != null) {
        retired.supervisor.dispose();
      }
      if (!waitUnlessClosed(delayNanos)) {
        return;
      }
      if (reason != null) {
        notifyListener(l -> l.onWorkerRestarting(config.module(), reason, attempt));
      }
      WorkerSupervisor supervisor;
      try {
        supervisor = WorkerSupervisor.start(config);
      } catch (RuntimeException e) {
        startFailed(slot, attempt, reason, e);
        return;
      }
      install(slot, supervisor);
    } finally {
      synchronized (lock) {
        if (slot.starter == Thread.currentThread()) {
          slot.starter = null;
        }
      }
    }
  }

  /** Waits {@code delayNanos} unless the pool closes meanwhile; false if it is closed. */
  private boolean waitUnlessClosed(long delayNanos) {
    long deadline = System.nanoTime() + delayNanos;
    synchronized (lock) {
      try {
        while (!closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return true;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        return false;
      }
      return false;
    }
  }

  private void startFailed(Slot slot, int attempt, String reason, RuntimeException e) {
    List<PoolCall> refused;
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (attempt == 0) {
        if (startFailure == null) {
          startFailure = e;
        } else {
          startFailure.addSuppressed(e);
        }
        lock.notifyAll();
        return;
      }
      lastFailure = e;
      slot.recycling = false;
      if (mayRestart(slot)) {
        LOG.warn(
            "A new worker of module {} failed to start; trying again: {}",
            config.module(),
            e.getMessage());
        launch(
            slot,
            attempt + 1,
            settings.restartPolicy().backoff(attempt + 1).toNanos(),
            reason,
            null);
        return;
      }
      LOG.warn(
          "A new worker of module {} failed to start; the restart policy ({}) gives up on it: {}",
          config.module(),
          settings.restartPolicy(),
          e.getMessage());
      slot.down = true;
      refused = refuseQueueIfDown();
    }
    RuntimeException refusal = refused.isEmpty() ? null : notRunningUnlocked();
    refused.forEach(call -> call.fail(refusal));
  }

  /** A started supervisor joins the pool, and takes queued calls. */
  private void install(Slot slot, WorkerSupervisor supervisor) {
    Member member = new Member(slot, supervisor);
    List<Dispatch> next;
    synchronized (lock) {
      if (closed) {
        next = null;
      } else {
        slot.member = member;
        slot.recycling = false;
        lock.notifyAll();
        next = drainQueue();
        startDueRecycles();
      }
    }
    if (next == null) {
      supervisor.dispose();
      return;
    }
    supervisor
        .whenDown()
        .whenCompleteAsync((cause, error) -> memberDown(member, cause), PoolThreads.EXECUTOR);
    send(next);
  }

  private boolean allDown() {
    for (Slot slot : slots) {
      if (!slot.down) {
        return false;
      }
    }
    return true;
  }

  /** When every slot is down, empties the queue and returns what was in it. */
  private List<PoolCall> refuseQueueIfDown() {
    if (!allDown() || queue.isEmpty()) {
      return List.of();
    }
    List<PoolCall> refused = new ArrayList<>(queue);
    queue.clear();
    return refused;
  }

  private RuntimeException notRunningUnlocked() {
    synchronized (lock) {
      return notRunning();
    }
  }

  private RuntimeException notRunning() {
    String hint =
        "; the pool's restart policy ("
            + settings.restartPolicy()
            + ") gave up; call spawn() to start the pool again";
    RuntimeException cause = lastFailure;
    if (cause instanceof WorkerExitedException exited) {
      return new WorkerExitedException(
          "No worker of the pool is running: " + firstLine(exited.getMessage()) + hint,
          exited.exitCode(),
          exited.stderrTail());
    }
    return new SpawnException(
        "No worker of the pool is running: "
            + (cause == null ? "" : firstLine(cause.getMessage()))
            + hint,
        cause);
  }

  /** The caller cancelled {@code call}: it leaves the queue if it is there. */
  void cancelled(PoolCall call) {
    ScheduledFuture<?> timer;
    synchronized (lock) {
      queue.remove(call);
      timer = call.queueTimer;
    }
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void scheduleMemoryCheck() {
    if (settings.recycleAboveResidentBytes() <= 0) {
      return;
    }
    if (!ResidentMemory.supported()) {
      LOG.warn(
          "Resident memory cannot be read on this system (no /proc): recycleAboveResidentMemory has no effect");
      return;
    }
    long interval = settings.memoryCheckInterval().toNanos();
    synchronized (lock) {
      if (!closed) {
        memoryCheck =
            PoolThreads.TIMER.scheduleWithFixedDelay(
                this::checkMemory, interval, interval, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Reads every live worker's resident memory and makes those above the limit due for recycling.
   */
  private void checkMemory() {
    try {
      List<Member> live = new ArrayList<>();
      synchronized (lock) {
        if (closed) {
          return;
        }
        for (Slot slot : slots) {
          Member m = slot.member;
          if (m != null && m.state == Member.State.LIVE && m.recycleReason == null) {
            live.add(m);
          }
        }
      }
      long limit = settings.recycleAboveResidentBytes();
      Map<Member, String> due = new LinkedHashMap<>();
      for (Member m : live) {
        OptionalLong rss =
            m.supervisor
                .workerInfo()
                .map(info -> ResidentMemory.bytes(info.pid()))
                .orElse(OptionalLong.empty());
        if (rss.isPresent() && rss.getAsLong() > limit) {
          due.put(
              m,
              "its resident memory ("
                  + mebibytes(rss.getAsLong())
                  + " MiB) is above the limit of "
                  + mebibytes(limit)
                  + " MiB");
        }
      }
      if (due.isEmpty()) {
        return;
      }
      synchronized (lock) {
        due.forEach(
            (m, reason) -> {
              if (m.state == Member.State.LIVE && m.recycleReason == null) {
                m.recycleReason = reason;
              }
            });
        startDueRecycles();
      }
    } catch (RuntimeException e) {
      LOG.warn("Checking the resident memory of the pool's workers failed", e);
    }
  }

  private static String mebibytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** How many workers the pool keeps. */
  public int size() {
    return slots.length;
  }

  /** Whether the pool is open and has, or is getting, at least one worker. */
  public boolean isRunning() {
    synchronized (lock) {
      return !closed && !allDown();
    }
  }

  /** What the workers that take calls reported about themselves, in slot order. */
  public List<WorkerInfo> workers() {
    List<Member> live = new ArrayList<>();
    synchronized (lock) {
      for (Slot slot : slots) {
        Member m = slot.member;
        if (m != null && m.state == Member.State.LIVE) {
          live.add(m);
        }
      }
    }
    return live.stream().map(m -> m.supervisor.workerInfo()).flatMap(Optional::stream).toList();
  }

  /** Ends the pool; see the class comment for the order. Idempotent. */
  public void dispose() {
    List<PoolCall> waiting;
    List<Member> members = new ArrayList<>();
    List<Thread> starters = new ArrayList<>();
    ScheduledFuture<?> check;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      waiting = new ArrayList<>(queue);
      queue.clear();
      for (Slot slot : slots) {
        if (slot.member != null) {
          members.add(slot.member);
          slot.member.state = Member.State.GONE;
          slot.member = null;
        }
        if (slot.starter != null) {
          starters.add(slot.starter);
        }
      }
      check = memoryCheck;
      lock.notifyAll();
    }
    if (check != null) {
      check.cancel(false);
    }
    IllegalStateException disposed =
        new IllegalStateException("The pool was disposed before the call was sent");
    waiting.forEach(call -> call.fail(disposed));
    starters.forEach(Thread::interrupt);
    List<Thread> stoppers = new ArrayList<>();
    for (Member m : members) {
      Thread stopper =
          PoolThreads.daemonThread(
              "synapse-pool-stop-" + config.module() + "-" + m.pid, m.supervisor::dispose);
      stopper.start();
      stoppers.add(stopper);
    }
    joinAll(stoppers);
    joinAll(starters);
  }

  /** Waits for every thread but this one to end; an interrupt is kept for afterwards. */
  private static void joinAll(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread thread : threads) {
      if (thread == Thread.currentThread()) {
        continue;
      }
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs a lifecycle event of the listener on the callback executor; a failing listener is logged.
   */
  private void notifyListener(Consumer<SynapseListener> event) {
    config
        .callbackExecutor()
        .execute(
            () -> {
              try {
                event.accept(config.listener());
              } catch (RuntimeException e) {
                LOG.warn("The listener failed", e);
              }
            });
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
