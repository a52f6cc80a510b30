package dev.synapse.internal.pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recycles a pool's workers. A worker that was given {@code recycleAfterCalls} calls, or whose
 * resident memory exceeds the limit (read every {@code memoryCheckInterval}), is due. It keeps
 * serving until recycling is allowed, at most a quarter of the slots (at least one) at a time so
 * that the pool keeps most of its capacity; then it takes no new calls ({@link
 * Member.State#DRAINING draining}), and once its last call is answered the {@link Healer} shuts it
 * down (stdin closed, as {@code dispose} does) and starts a new member. No call fails: the calls it
 * would have taken go to other workers or wait.
 */
final class Recycler {
  private static final Logger LOG = LoggerFactory.getLogger(Recycler.class);

  private final PoolState state;
  private Healer healer;

  /** Guarded by the pool's lock. */
  private Future<?> memoryCheck;

  Recycler(PoolState state) {
    this.state = state;
  }

  void healer(Healer healer) {
    this.healer = healer;
  }

  /** {@code member} was given one more call; it may now be due. */
  void counted(Member member) {
    state.assertHeld();
    long limit = state.settings.recycleAfterCalls();
    if (limit > 0 && member.dispatched >= limit && member.recycleReason == null) {
      member.recycleReason = "it was given " + member.dispatched + " calls";
      startDueRecycles();
    }
  }

  /** Starts recycling due members, as far as the limit of recycles at once allows. */
  void startDueRecycles() {
    state.assertHeld();
    if (state.closed) {
      return;
    }
    Slot[] slots = state.slots;
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
  void retireIfDrained(Member member) {
    state.assertHeld();
    if (state.closed || member.state != Member.State.DRAINING || member.inFlight > 0) {
      return;
    }
    member.state = Member.State.GONE;
    member.slot.member = null;
    String reason = "recycling worker " + member.pid + ": " + member.recycleReason;
    LOG.info("Module {}: {}", state.config.module(), reason);
    healer.launch(member.slot, 1, 0, reason, member);
  }

  /** Starts reading the workers' resident memory, if the pool has a limit for it. */
  void startMemoryChecks() {
    state.assertNotHeld();
    if (state.settings.recycleAboveResidentBytes() <= 0) {
      return;
    }
    if (!ResidentMemory.supported()) {
      LOG.warn(
          "Resident memory cannot be read on this system (no /proc): recycleAboveResidentMemory has no effect");
      return;
    }
    scheduleMemoryCheck();
  }

  /** Sets the timer of the next memory check, one interval from now, unless the pool is closed. */
  private void scheduleMemoryCheck() {
    long interval = state.settings.memoryCheckInterval().toNanos();
    synchronized (state.lock) {
      if (!state.closed) {
        memoryCheck =
            state.scheduler.schedule(
                () -> {
                  checkMemory();
                  scheduleMemoryCheck();
                },
                interval);
      }
    }
  }

  /** Stops the memory checks; the pool is closed. */
  void stopMemoryChecks() {
    Future<?> check;
    synchronized (state.lock) {
      check = memoryCheck;
    }
    if (check != null) {
      check.cancel(false);
    }
  }

  /**
   * Reads every live worker's resident memory and makes those above the limit due for recycling.
   */
  void checkMemory() {
    state.assertNotHeld();
    try {
      List<Member> live = new ArrayList<>();
      synchronized (state.lock) {
        if (state.closed) {
          return;
        }
        for (Slot slot : state.slots) {
          Member m = slot.member;
          if (m != null && m.state == Member.State.LIVE && m.recycleReason == null) {
            live.add(m);
          }
        }
      }
      Map<Member, String> due = overLimit(live);
      if (due.isEmpty()) {
        return;
      }
      synchronized (state.lock) {
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

  private Map<Member, String> overLimit(List<Member> live) {
    long limit = state.settings.recycleAboveResidentBytes();
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
    return due;
  }

  private static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }
}
