package dev.synapse.internal.worker;

import java.lang.ref.Cleaner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads shared by all instances: one timer for call timeouts, a pool for restarts, and a
 * cleaner for streams dropped unclosed.
 */
final class Threads {
  /** Fires call timeouts and restart backoffs; its tasks only hand work over, they never block. */
  static final ScheduledThreadPoolExecutor TIMER = timer();

  /**
   * Runs what may block for long and must not run on a reader or timer thread: starting workers.
   */
  static final ExecutorService LIFECYCLE =
      Executors.newCachedThreadPool(daemon("synapse-lifecycle-"));

  /**
   * Cancels the streams whose iterators became garbage unclosed; its actions only enqueue a frame.
   */
  static final Cleaner CLEANER = Cleaner.create(daemon("synapse-cleaner-"));

  private Threads() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("synapse-timer-"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  static Thread startDaemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
