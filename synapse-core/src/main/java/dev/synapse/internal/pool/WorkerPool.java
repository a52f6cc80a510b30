package dev.synapse.internal.pool;

import dev.synapse.InstanceDisposedException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.SpawnException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.supervision.CallEvents;
import dev.synapse.internal.supervision.CallTerms;
import dev.synapse.internal.supervision.Engine;
import dev.synapse.internal.supervision.Health;
import dev.synapse.internal.supervision.Scheduler;
import dev.synapse.internal.supervision.SharedThreads;
import dev.synapse.internal.worker.WorkerConfig;
import dev.synapse.internal.worker.WorkerSupervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The engine of a {@code SynapsePool}: {@code size} workers of one module, each a {@link
 * WorkerSupervisor} that does not restart on its own. It is built of parts with one job each, which
 * share one {@link PoolState} and its lock:
 *
 * <ul>
 *   <li>{@link Dispatcher}: hands calls to the least-loaded live worker, or queues them;
 *   <li>{@link Healer}: starts members and replaces those whose worker died, as the restart policy
 *       allows;
 *   <li>{@link Recycler}: retires workers that were given too many calls or use too much memory;
 *   <li>{@link PoolErrors}: how the pool words its failures.
 * </ul>
 *
 * <p><b>Dispose</b>, in this order: no new calls; the queue fails with {@link
 * InstanceDisposedException}; starting members are interrupted (which kills their process); every
 * member is disposed in parallel (its calls in flight fail with {@link InstanceDisposedException});
 * dispose returns once all of that is done.
 */
public final class WorkerPool implements Engine {
  private final PoolState state;
  private final Dispatcher dispatcher;
  private final Recycler recycler;
  private final Healer healer;

  WorkerPool(WorkerConfig config, PoolSettings settings, Scheduler scheduler) {
    this.state = new PoolState(memberConfig(config), settings, scheduler);
    this.recycler = new Recycler(state);
    this.dispatcher = new Dispatcher(state, recycler);
    this.healer = new Healer(state, dispatcher, recycler);
    recycler.healer(healer);
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
        c.cancelGrace(),
        c.maxFrameBytes(),
        RestartPolicy.never(),
        c.listener(),
        c.callbackExecutor(),
        c.environment(),
        c.hostFunctions(),
        c.sharedMemory());
  }

  /**
   * Starts {@code settings.size()} workers at once and returns when all are ready.
   *
   * @throws SpawnException if any of them does not become ready (the others are disposed first);
   *     the failures of the others, if any, are suppressed in it
   */
  public static WorkerPool start(WorkerConfig config, PoolSettings settings) {
    return start(config, settings, Scheduler.SYSTEM);
  }

  /**
   * Like {@link #start(WorkerConfig, PoolSettings)}, with the time of deadlines, backoffs and
   * memory checks read from {@code scheduler}.
   */
  static WorkerPool start(WorkerConfig config, PoolSettings settings, Scheduler scheduler) {
    WorkerPool pool = new WorkerPool(config, settings, scheduler);
    RuntimeException failure = pool.healer.startAll();
    if (failure != null) {
      pool.dispose();
      if (failure.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw failure;
    }
    pool.recycler.startMemoryChecks();
    return pool;
  }

  /** Makes a call; it is sent now if a worker has room, else queued. */
  @Override
  public PoolCall submit(Request request, boolean async) {
    WorkerConfig config = state.config;
    Duration timeout = state.timeoutOf(request);
    PoolCall call =
        new PoolCall(
            dispatcher,
            new CallTerms(request.function(), request.input(), timeout, request.cancelGrace()),
            request.retries(),
            async ? config.callbackExecutor() : null,
            state.scheduler);
    CallEvents.observe(config.listener(), config.module(), request.function(), call);
    try {
      dispatcher.submit(call);
    } catch (RuntimeException e) {
      call.completeExceptionally(e); // the listener saw it start: it sees it end too
      throw e;
    }
    return call;
  }

  /** Opens a stream on the least-loaded live worker; see {@link Dispatcher#stream}. */
  @Override
  public Stream<Object> stream(Request request) {
    return dispatcher.stream(request);
  }

  /** How many workers the pool keeps. */
  public int size() {
    return state.slots.length;
  }

  /** Whether the pool is open and has, or is getting, at least one worker. */
  @Override
  public boolean isRunning() {
    synchronized (state.lock) {
      return !state.closed && !state.allDown();
    }
  }

  /** What the workers that take calls reported about themselves, in slot order. */
  public List<WorkerInfo> workers() {
    List<Member> live = new ArrayList<>();
    synchronized (state.lock) {
      for (Slot slot : state.slots) {
        Member m = slot.member;
        if (m != null && m.state == Member.State.LIVE) {
          live.add(m);
        }
      }
    }
    return live.stream().map(m -> m.supervisor.workerInfo()).flatMap(Optional::stream).toList();
  }

  /**
   * Pings every member that has a worker (live, suspect or draining) at once and waits for all with
   * one deadline: whether each answered, by pid, in slot order.
   */
  public Map<Long, Boolean> ping(Duration timeout) {
    state.assertNotHeld();
    List<Member> members = new ArrayList<>();
    synchronized (state.lock) {
      for (Slot slot : state.slots) {
        if (slot.member != null) {
          members.add(slot.member);
        }
      }
    }
    Map<Long, CompletableFuture<Void>> pings = new LinkedHashMap<>();
    for (Member m : members) {
      pings.put(m.pid, m.supervisor.ping());
    }
    return Health.awaitAll(pings, timeout);
  }

  /** Ends the pool; see the class comment for the order. Idempotent. */
  @Override
  public void dispose() {
    state.assertNotHeld();
    List<PoolCall> waiting;
    List<Member> members = new ArrayList<>();
    List<Thread> starters = new ArrayList<>();
    synchronized (state.lock) {
      if (state.closed) {
        return;
      }
      state.closed = true;
      waiting = dispatcher.takeQueue();
      for (Slot slot : state.slots) {
        if (slot.member != null) {
          members.add(slot.member);
          slot.member.state = Member.State.GONE;
          slot.member = null;
        }
        if (slot.starter != null) {
          starters.add(slot.starter);
        }
      }
      state.lock.notifyAll();
    }
    recycler.stopMemoryChecks();
    InstanceDisposedException disposed =
        new InstanceDisposedException("The pool was disposed before the call was sent");
    waiting.forEach(call -> call.fail(disposed));
    starters.forEach(Thread::interrupt);
    List<Thread> stoppers = new ArrayList<>();
    for (Member m : members) {
      stoppers.add(
          SharedThreads.startDaemon(
              "synapse-pool-stop-" + state.config.module() + "-" + m.pid, m.supervisor::dispose));
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
}
