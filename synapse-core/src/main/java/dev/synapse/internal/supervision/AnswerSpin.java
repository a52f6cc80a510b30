package dev.synapse.internal.supervision;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a blocking caller spin for a few tens of microseconds before it parks, when its answer is
 * likely to arrive meanwhile; one per worker.
 *
 * <p>A parked caller is woken by the reader thread that completes its call, and on some machines
 * (virtual ones whose idle CPUs halt) that wake-up costs as much as a small call's whole round
 * trip. A caller still running when its call completes sees the answer at once. Spinning pays only
 * where the answer comes soon and a CPU is free for it, so a caller spins only when:
 *
 * <ul>
 *   <li>its call is the only one in flight on its worker (the channel decides that when it sends
 *       the call), so the worker's next answer is its own;
 *   <li>a permit is free: at most half the CPUs spin at once in the JVM, none on a single CPU,
 *       where the spinner would only keep the worker and the reader from running;
 *   <li>this worker's spins have been catching their answers: after a spin that outlasts {@link
 *       #LIMIT_NANOS} (a slow handler), the next calls park at once, twice as many after each
 *       further miss, up to {@value #LONGEST_PAUSE}; a spin that catches its answer ends the pause.
 * </ul>
 *
 * <p>The pause is kept without a lock: callers of one worker may race on it, which at most changes
 * when the next spin happens, never an answer.
 */
public final class AnswerSpin {
  /**
   * How long a caller spins at most: several times a small call's round trip on a small VM, so that
   * the slow tail of those still finds the caller running, and a fraction of what a handler that
   * does real work takes. (Shorter spins missed so often that the pauses undid the gain; 100 µs
   * measured no steady gain over 50: synapse-bench/README.md, "Round trip".)
   */
  public static final long LIMIT_NANOS = 50_000;

  /** The most calls a worker's callers park at once for after a spin that missed. */
  static final int LONGEST_PAUSE = 1024;

  /** The permits of this JVM: half its CPUs, rounded down. */
  public static final Permits CPU_PERMITS =
      new Permits(Runtime.getRuntime().availableProcessors() / 2);

  private final Ticker ticker;
  private final Permits permits;
  private volatile int pause; // the calls to park at once for after the last miss
  private volatile int pausedCallsLeft;

  /**
   * @param ticker where the spin's time is read
   * @param permits how many callers may spin at once, shared with other workers
   */
  public AnswerSpin(Ticker ticker, Permits permits) {
    this.ticker = ticker;
    this.permits = permits;
  }

  /**
   * Spins until {@code answer} is done, at most {@link #LIMIT_NANOS}, unless this worker's spins
   * are paused or no permit is free; the caller then waits for the answer as it would have.
   */
  public void spinBriefly(Future<?> answer) {
    if (pausedCallsLeft > 0) {
      pausedCallsLeft--;
      return;
    }
    if (!permits.take()) {
      return;
    }
    try {
      long start = ticker.read();
      while (!answer.isDone()) {
        if (ticker.read() - start >= LIMIT_NANOS) {
          missed();
          return;
        }
        Thread.onSpinWait();
      }
      pause = 0;
    } finally {
      permits.give();
    }
  }

  private void missed() {
    int next = Math.min(Math.max(2, pause * 2), LONGEST_PAUSE);
    pause = next;
    pausedCallsLeft = next;
  }

  /** How many callers may spin at once. */
  public static final class Permits {
    private final AtomicInteger free;

    /**
     * @param count the callers that may spin at once; 0 for none
     */
    public Permits(int count) {
      free = new AtomicInteger(count);
    }

    boolean take() {
      for (int left = free.get(); left > 0; left = free.get()) {
        if (free.compareAndSet(left, left - 1)) {
          return true;
        }
      }
      return false;
    }

    void give() {
      free.incrementAndGet();
    }
  }
}
