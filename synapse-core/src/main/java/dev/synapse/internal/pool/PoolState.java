package dev.synapse.internal.pool;

import dev.synapse.Request;
import dev.synapse.internal.supervision.RestartWindow;
import dev.synapse.internal.supervision.Scheduler;
import dev.synapse.internal.worker.WorkerConfig;
import java.time.Duration;

/**
 * What every part of a pool shares: its settings, its slots, whether it is closed, and the one lock
 * that guards the mutable fields here, of every {@link Slot}, {@link Member} and the queue of the
 * {@link Dispatcher}.
 *
 * <p>The rule every part follows (as OkHttp's dispatcher does): decide under the lock what to do,
 * then do it after releasing the lock. Nothing is called on a supervisor, a call's future or the
 * listener while the lock is held, because supervisors complete calls, and so call back into the
 * pool, from inside their own locks. Methods that need the lock assert it with {@link
 * #assertHeld()}; methods that must not hold it while they act assert {@link #assertNotHeld()}.
 */
final class PoolState {
  final Object lock = new Object();
  final WorkerConfig config;
  final PoolSettings settings;
  final Slot[] slots;

  /** Where the pool reads the time and sets its timers. */
  final Scheduler scheduler;

  /** Guarded by {@link #lock}: no new calls, no new members. */
  boolean closed;

  /** Guarded by {@link #lock}: why the last member ended or failed to start. */
  RuntimeException lastFailure;

  PoolState(WorkerConfig config, PoolSettings settings, Scheduler scheduler) {
    this.config = config;
    this.scheduler = scheduler;
    this.settings = settings;
    this.slots = new Slot[settings.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i, new RestartWindow(settings.restartPolicy(), scheduler));
    }
  }

  /** The timeout of {@code request}: its own, else the pool's default. */
  Duration timeoutOf(Request request) {
    return request.timeout() == null ? config.callTimeout() : request.timeout();
  }

  /** Whether the restart policy gave up on every slot. */
  boolean allDown() {
    assertHeld();
    for (Slot slot : slots) {
      if (!slot.down) {
        return false;
      }
    }
    return true;
  }

  void assertHeld() {
    assert Thread.holdsLock(lock) : "the pool's lock must be held";
  }

  void assertNotHeld() {
    assert !Thread.holdsLock(lock) : "the pool's lock must not be held";
  }
}
