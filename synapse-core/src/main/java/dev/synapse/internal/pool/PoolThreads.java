package dev.synapse.internal.pool;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads shared by all pools. Starting and stopping workers runs on threads of its own (see
 * {@link WorkerPool}), so that dispose can interrupt and join exactly those.
 */
final class PoolThreads {
  /**
   * Fires the deadlines of queued calls, memory checks and suspicion time-outs; its tasks never
   * block.
   */
  static final ScheduledThreadPoolExecutor TIMER = timer();

  /**
   * Runs what must not run where it was noticed: sending calls that waited in the queue after a
   * call failed (possibly under a supervisor's lock), and handling a worker that went down.
   */
  static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(daemon("synapse-pool-"));

  private PoolThreads() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("synapse-pool-timer-"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A daemon thread named {@code name}, not started. */
  static Thread daemonThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
