package dev.synapse.internal.supervision;

import java.lang.ref.Cleaner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads shared by every instance and pool, and the one way threads are made. Each worker also
 * has threads of its own (reader, writer, stderr pump), and a pool starts and stops its members on
 * threads of their own, so that dispose can interrupt and join exactly those.
 */
public final class SharedThreads {
  /**
   * Fires call timeouts, deadlines of queued calls, restart backoffs, memory checks and suspicion
   * time-outs; its tasks only hand work over, they never block.
   */
  public static final ScheduledThreadPoolExecutor TIMER = timer();

  /**
   * Runs what may block and must not run where it was noticed (on a reader or timer thread, or
   * under a supervisor's lock): starting workers, handling a worker that ended, sending calls that
   * waited in a pool's queue after a call failed.
   */
  public static final ExecutorService LIFECYCLE =
      Executors.newCachedThreadPool(daemon("synapse-lifecycle-"));

  /**
   * Cancels the streams whose iterators became garbage unclosed; its actions only enqueue a frame.
   */
  public static final Cleaner CLEANER = Cleaner.create(daemon("synapse-cleaner-"));

  private SharedThreads() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("synapse-timer-"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** A factory of daemon threads named {@code prefix} and a counter. */
  public static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> daemonThread(prefix + count.incrementAndGet(), task);
  }

  /** A daemon thread named {@code name}, not started. */
  public static Thread daemonThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  /** A daemon thread named {@code name}, started. */
  public static Thread startDaemon(String name, Runnable task) {
    Thread thread = daemonThread(name, task);
    thread.start();
    return thread;
  }
}
