package dev.synapse.testing;

import dev.synapse.internal.supervision.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Scheduler} whose time moves only when a test advances it: the timers due by then run on
 * the test's thread, in the order they are due. Tests wait for a timer to be set with {@link
 * #awaitTimers}, a latch with a generous bound that only ends a hang, never a sleep.
 */
public final class ManualScheduler implements Scheduler {
  private record Timer(long due, long order, FutureTask<?> task) {}

  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private long now;
  private long scheduled;

  @Override
  public synchronized long read() {
    return now;
  }

  @Override
  public synchronized Future<?> schedule(Runnable task, long delayNanos) {
    FutureTask<Void> future = new FutureTask<>(task, null);
    timers.add(new Timer(now + Math.max(0, delayNanos), scheduled++, future));
    notifyAll();
    return future;
  }

  /** Moves the time forward by {@code step}, running every timer due by then. */
  public void advance(Duration step) {
    long target;
    synchronized (this) {
      target = now + step.toNanos();
    }
    while (true) {
      FutureTask<?> task;
      synchronized (this) {
        Timer next = timers.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        timers.poll();
        now = Math.max(now, next.due);
        task = next.task;
      }
      task.run();
    }
  }

  /** How many timers were ever set, including those run or cancelled since. */
  public synchronized long timersSet() {
    return scheduled;
  }

  /** The delays, from now, of the timers set and neither run nor cancelled, soonest first. */
  public synchronized List<Duration> pending() {
    List<Timer> sorted = new ArrayList<>(timers);
    sorted.sort(timers.comparator());
    List<Duration> delays = new ArrayList<>();
    for (Timer timer : sorted) {
      if (!timer.task.isDone()) {
        delays.add(Duration.ofNanos(timer.due - now));
      }
    }
    return delays;
  }

  /**
   * Waits until a timer due {@code delay} from now is pending (it may be set by another thread).
   *
   * @throws TimeoutException if none is set within 30 s: something hangs
   */
  public synchronized void awaitTimer(Duration delay)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!pending().contains(delay)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("Expected a timer in " + delay + ", have " + pending());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /**
   * Waits until at least {@code count} timers are pending (they may be set by other threads).
   *
   * @throws TimeoutException if they are not set within 30 s: something hangs
   */
  public synchronized void awaitTimers(int count) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pending().size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("Expected " + count + " timers, have " + pending());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
