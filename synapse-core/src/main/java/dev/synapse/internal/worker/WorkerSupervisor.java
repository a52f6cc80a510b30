package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.InstanceDisposedException;
import dev.synapse.Request;
import dev.synapse.RestartPolicy;
import dev.synapse.SpawnException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.shm.SharedRegion;
import dev.synapse.internal.supervision.CallEvents;
import dev.synapse.internal.supervision.CallTerms;
import dev.synapse.internal.supervision.Engine;
import dev.synapse.internal.supervision.Failures;
import dev.synapse.internal.supervision.RestartWindow;
import dev.synapse.internal.supervision.Scheduler;
import dev.synapse.internal.supervision.SharedThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one module's worker alive for the life of a spawn: routes calls to the current worker,
 * holds them while a worker is being replaced, and applies the {@link RestartPolicy} when one dies.
 *
 * <pre>
 *  RUNNING ──worker ends──► RESTARTING ──new worker ready──► RUNNING
 *     │                        │ (policy says no / limit reached / start failed)
 *     │                        ▼
 *     └──policy says no────► DOWN          any state ──dispose()──► DISPOSED
 * </pre>
 *
 * <p>A replacement that Synapse itself decides on (garbage on stdout, a seed-style call that timed
 * out) always happens and does not count against the policy's limit; a crash restarts only if the
 * policy allows. State changes happen under one lock; calls reach a running worker without it.
 *
 * <p>Longer than this package's other classes: the state machine above, the routing of calls and
 * the end of a worker all read and change the same state under that one lock, and keeping them in
 * one class keeps every use of the lock in sight.
 */
public final class WorkerSupervisor implements Engine, CallOwner, WorkerSession.EndListener {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerSupervisor.class);

  private enum State {
    RUNNING,
    RESTARTING,
    DOWN,
    DISPOSED
  }

  private final WorkerConfig config;
  private final Object lock = new Object();
  private final List<PendingCall> parked = new ArrayList<>();
  private final RestartWindow restarts;
  private final Scheduler scheduler;
  private volatile WorkerSession session;
  private State state = State.RUNNING;
  private WorkerSession starting;

  /** A worker that has ended and whose unsent calls its replacement is to take. */
  private WorkerSession handingOver;

  private RuntimeException downCause;
  private final CompletableFuture<RuntimeException> down = new CompletableFuture<>();

  private WorkerSupervisor(WorkerConfig config, Scheduler scheduler) {
    this.config = config;
    this.scheduler = scheduler;
    this.restarts = new RestartWindow(config.restartPolicy(), scheduler);
  }

  /**
   * Starts the first worker and returns once it is ready.
   *
   * @throws SpawnException if it does not become ready
   */
  public static WorkerSupervisor start(WorkerConfig config) {
    return start(config, Scheduler.SYSTEM);
  }

  /**
   * Like {@link #start(WorkerConfig)}, with the time of call timeouts and restart backoffs read
   * from {@code scheduler}.
   */
  public static WorkerSupervisor start(WorkerConfig config, Scheduler scheduler) {
    WorkerSupervisor supervisor = new WorkerSupervisor(config, scheduler);
    WorkerSession first;
    synchronized (supervisor.lock) {
      first = WorkerSession.launch(config, supervisor);
      supervisor.starting = first;
    }
    try {
      first.awaitReady();
    } catch (RuntimeException e) {
      synchronized (supervisor.lock) {
        supervisor.starting = null;
      }
      throw e;
    }
    synchronized (supervisor.lock) {
      if (supervisor.starting == first) { // else it ended already, and afterEnd took it as current
        supervisor.starting = null;
        supervisor.session = first;
      }
    }
    return supervisor;
  }

  @Override
  public PendingCall submit(Request request, boolean async) {
    return CallEvents.observe(
        config.listener(),
        config.module(),
        request.function(),
        submit(
            request.function(), request.input(), request.timeout(), request.cancelGrace(), async));
  }

  @Override
  public Stream<Object> stream(Request request) {
    return stream(request.function(), request.input(), request.timeout(), request.cancelGrace());
  }

  /**
   * Makes a call.
   *
   * @param timeout the call's own timeout, or {@code null} for the default
   * @param cancelGrace the call's own grace period once given up on, or {@code null} for the
   *     default
   * @param async whether the call completes on the callback executor
   * @throws IllegalStateException if {@code input} is a stream and the worker runs a seed-style
   *     loop
   */
  public PendingCall submit(
      String function, Object input, Duration timeout, Duration cancelGrace, boolean async) {
    if (input instanceof InputSource) {
      refuseSeedStyle(InputSource.SEED_STYLE);
    }
    PendingCall call =
        new PendingCall(
            terms(function, input, timeout, cancelGrace),
            async ? config.callbackExecutor() : null,
            scheduler);
    call.owner(this);
    call.startTimer();
    route(call);
    return call;
  }

  /**
   * Opens a stream: sends the call at once (or when a worker being restarted is ready) and returns
   * the caller's view of its items.
   *
   * @param timeout how long each wait for the next item may take, or {@code null} for the default
   * @param cancelGrace the stream's own grace period once given up on, or {@code null} for the
   *     default
   * @throws IllegalStateException if the worker runs a seed-style loop
   */
  public Stream<Object> stream(
      String function, Object input, Duration timeout, Duration cancelGrace) {
    return openStream(function, input, timeout, cancelGrace).items();
  }

  /** A stream's items, and a future that completes once the stream is over (ended or given up). */
  public record OpenStream(Stream<Object> items, CompletableFuture<Object> over) {}

  /** Like {@link #stream}, also returning when the stream is over. */
  public OpenStream openStream(
      String function, Object input, Duration timeout, Duration cancelGrace) {
    refuseSeedStyle(input instanceof InputSource ? InputSource.SEED_STYLE : StreamCall.SEED_STYLE);
    StreamCall call = new StreamCall(terms(function, input, timeout, cancelGrace), scheduler);
    call.owner(this);
    CallEvents.observe(config.listener(), config.module(), function, call);
    Stream<Object> items = call.open();
    route(call);
    return new OpenStream(items, call);
  }

  /** What a call asks for, with this worker's defaults where the caller set none. */
  private CallTerms terms(String function, Object input, Duration timeout, Duration cancelGrace) {
    return new CallTerms(
        function,
        input,
        timeout == null ? config.callTimeout() : timeout,
        cancelGrace == null ? config.cancelGrace() : cancelGrace);
  }

  /** Throws {@code why} if the current worker runs a seed-style loop. */
  private void refuseSeedStyle(String why) {
    WorkerSession current = session;
    if (current != null && current.info().seedProtocol()) {
      throw new IllegalStateException(why);
    }
  }

  private void route(PendingCall call) {
    WorkerSession current = session;
    if (current != null && current.submit(call)) {
      return;
    }
    synchronized (lock) {
      switch (state) {
        case RUNNING:
        case RESTARTING:
          WorkerSession now = session;
          if (now != null && now != current && now.submit(call)) {
            return;
          }
          call.owner(this);
          parked.add(call);
          return;
        case DOWN:
          call.fail(notRunning());
          return;
        default:
          call.fail(
              new InstanceDisposedException("The instance was disposed before the call was sent"));
      }
    }
  }

  /** The module's name, as the listener's events give it. */
  public String module() {
    return config.module();
  }

  /** Whether this supervisor still has, or is getting, a worker. */
  @Override
  public boolean isRunning() {
    synchronized (lock) {
      return state == State.RUNNING || state == State.RESTARTING;
    }
  }

  /**
   * Completes with the cause once this supervisor is down for good (its worker ended and is not
   * restarted), after the calls waiting for it have failed; never on {@link #dispose()}. It is
   * completed under this supervisor's lock: attach only asynchronous stages. The pool uses it to
   * replace a worker that died while idle.
   */
  public CompletableFuture<RuntimeException> whenDown() {
    return down;
  }

  /** What the current worker reported about itself, if one is running. */
  public Optional<WorkerInfo> workerInfo() {
    WorkerSession current = session;
    return current == null ? Optional.empty() : Optional.of(current.info());
  }

  /** The shared-memory region of the current worker; null if it has none or none is running. */
  public SharedRegion sharedRegion() {
    WorkerSession current = session;
    return current == null ? null : current.region();
  }

  /**
   * Pings the current worker (see {@link WorkerSession#ping()}); fails at once when no worker is
   * running (being restarted, down, disposed).
   */
  public CompletableFuture<Void> ping() {
    WorkerSession current = session;
    return current == null
        ? CompletableFuture.failedFuture(new IllegalStateException("no worker is running"))
        : current.ping();
  }

  /** Ends the worker (see {@link WorkerSession#shutdown()}) and fails the calls still waiting. */
  @Override
  public void dispose() {
    WorkerSession current;
    WorkerSession launching;
    List<PendingCall> waiting;
    synchronized (lock) {
      if (state == State.DISPOSED) {
        return;
      }
      state = State.DISPOSED;
      current = session;
      session = null;
      launching = starting;
      waiting = drainParked();
    }
    InstanceDisposedException disposed =
        new InstanceDisposedException("The instance was disposed before the call was sent");
    waiting.forEach(call -> call.fail(disposed));
    if (launching != null) {
      launching.kill();
    }
    if (current != null) {
      current.shutdown();
    }
  }

  /**
   * Decides, before the ended worker's calls in flight fail, whether a new worker follows: whoever
   * sees such a failure then also sees this supervisor restarting or down, never still running.
   */
  @Override
  public void sessionEnding(WorkerSession ended, RuntimeException cause, String replacement) {
    synchronized (lock) {
      if (state == State.DISPOSED || (session != ended && starting != ended)) {
        return;
      }
      // A worker may end between its READY and the moment it is made the current one: it is the
      // current one all the same, else this supervisor would keep a dead worker and park calls
      // for it forever.
      if (starting == ended) {
        starting = null;
      }
      session = null;
      handingOver = ended;
      if (replacement == null && !restarts.tryRestart()) {
        state = State.DOWN;
        downCause = cause;
      } else {
        state = State.RESTARTING;
      }
    }
  }

  /**
   * Takes the ended worker's unsent calls: they wait for its replacement, which is started now, or
   * fail if none follows.
   */
  @Override
  public void sessionEnded(
      WorkerSession ended, RuntimeException cause, List<PendingCall> unsent, String replacement) {
    SharedThreads.LIFECYCLE.execute(() -> afterEnd(ended, cause, unsent, replacement));
  }

  private void afterEnd(
      WorkerSession ended, RuntimeException cause, List<PendingCall> unsent, String replacement) {
    Duration backoff;
    synchronized (lock) {
      if (handingOver != ended || state == State.DISPOSED) {
        unsent.forEach(call -> call.fail(cause));
        return;
      }
      handingOver = null;
      unsent.forEach(call -> call.owner(this));
      parked.addAll(0, unsent);
      if (state == State.DOWN) {
        goDown(cause);
        return;
      }
      backoff = replacement != null ? Duration.ZERO : restarts.backoff();
    }
    String reason = replacement != null ? replacement : cause.getMessage();
    config.notifyListener(l -> l.onWorkerReplaced(config.module(), ended.pid(), reason));
    scheduleRestart(reason, 1, backoff);
  }

  private void scheduleRestart(String reason, int attempt, Duration backoff) {
    Runnable restart = () -> SharedThreads.LIFECYCLE.execute(() -> restart(reason, attempt));
    scheduler.schedule(restart, backoff.toNanos());
  }

  private void restart(String reason, int attempt) {
    config.notifyListener(l -> l.onWorkerRestarting(config.module(), reason, attempt));
    LOG.info("Restarting worker of module {} (attempt {}): {}", config.module(), attempt, reason);
    WorkerSession next;
    synchronized (lock) {
      if (state != State.RESTARTING) {
        return;
      }
      try {
        next = WorkerSession.launch(config, this);
      } catch (SpawnException e) {
        goDown(e);
        return;
      }
      starting = next;
    }
    try {
      next.awaitReady();
    } catch (SpawnException e) {
      synchronized (lock) {
        starting = null;
        if (state != State.RESTARTING) {
          return;
        }
        if (!restarts.tryRestart()) {
          goDown(e);
          return;
        }
      }
      scheduleRestart(reason, attempt + 1, restarts.backoff(attempt + 1));
      return;
    }
    List<PendingCall> waiting;
    synchronized (lock) {
      if (starting != next) {
        return; // it ended already, and sessionEnding decided what follows
      }
      starting = null;
      if (state != State.RESTARTING) {
        next.shutdown();
        return;
      }
      session = next;
      state = State.RUNNING;
      waiting = drainParked();
    }
    for (PendingCall call : waiting) {
      if (!call.isDone()) {
        route(call);
      }
    }
  }

  /** No worker any more: the calls made since the last one ended fail with a note saying so. */
  private void goDown(RuntimeException cause) {
    state = State.DOWN;
    downCause = cause;
    List<PendingCall> waiting = drainParked();
    waiting.forEach(call -> call.fail(notRunning()));
    down.complete(cause);
  }

  private List<PendingCall> drainParked() {
    List<PendingCall> waiting = new ArrayList<>(parked);
    parked.clear();
    return waiting;
  }

  private RuntimeException notRunning() {
    return Failures.notRunning(
        "The worker is not running",
        downCause,
        "; call spawn() to start a new worker (restart policy: " + config.restartPolicy() + ")");
  }

  @Override
  public void timedOut(PendingCall call) {
    synchronized (lock) {
      parked.remove(call);
    }
    call.fail(new CallTimeoutException(call.timeout(), false));
  }

  @Override
  public void cancelled(PendingCall call) {
    synchronized (lock) {
      parked.remove(call);
    }
  }
}
