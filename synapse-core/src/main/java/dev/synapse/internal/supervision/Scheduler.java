package dev.synapse.internal.supervision;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Where the time-dependent parts read the time and set their timers: call timeouts and deadlines,
 * cancel graces, restart backoffs and memory checks. Production code uses {@link #SYSTEM}; tests
 * pass a scheduler whose time they advance by hand, so that what happens when time passes is
 * checked without sleeping.
 */
public interface Scheduler extends Ticker {
  /** The system's monotonic clock and the shared timer thread ({@link SharedThreads#TIMER}). */
  Scheduler SYSTEM =
      new Scheduler() {
        @Override
        public long read() {
          return System.nanoTime();
        }

        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
          return SharedThreads.TIMER.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
      };

  /**
   * Runs {@code task} once, {@code delayNanos} from now (at once for 0 or less), on a thread of the
   * scheduler's; the task must not block. Cancelling the future (without interrupting) keeps the
   * task from running if it has not started.
   */
  Future<?> schedule(Runnable task, long delayNanos);
}
