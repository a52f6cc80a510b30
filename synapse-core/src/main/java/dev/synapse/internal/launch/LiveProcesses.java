package dev.synapse.internal.launch;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Every process this JVM has running for Synapse (workers, venv and pip runs), and every process
 * each of them started, so that none outlives the process that started it.
 *
 * <p><b>Tracking.</b> A daemon thread, {@code synapse-descendants}, takes a snapshot of this JVM's
 * descendants every {@link #SNAPSHOT_INTERVAL} while any process is registered (one scan of the
 * process table) and files each process it has not seen before under the registered process it
 * descends from. A process stays filed while it lives, even after it moved to another session or
 * was re-parented elsewhere. When a registered process is {@linkplain #remove removed} (it ended:
 * disposed, crashed, killed on a timeout), everything filed under it that still lives is killed,
 * and on Linux also every process that still holds the pipes it had for stdin and stderr ({@link
 * InheritedPipes}): a child started just before the worker was killed, which no snapshot saw. Not
 * found is only a process that left the tree between two snapshots and does not hold those pipes (a
 * daemon that redirected its standard streams, started less than a snapshot interval before its
 * worker died); on Linux pysynapse makes each worker a child subreaper, so orphans stay its
 * descendants while it lives.
 *
 * <p><b>JVM exit.</b> A shutdown hook kills the registered processes and everything filed under
 * them. A JVM killed outright cannot run the hook; then each worker's own watchdog notices that its
 * parent is gone and kills its descendants and itself.
 *
 * <p>Killing a filed process whose pid was reused meanwhile is not possible: a {@link
 * ProcessHandle} checks the start time of the process before it signals it.
 */
public final class LiveProcesses {
  /** How often the descendants are listed. */
  public static final Duration SNAPSHOT_INTERVAL = Duration.ofMillis(500);

  private static final long SELF = ProcessHandle.current().pid();
  private static final Map<Long, Family> LIVE = new ConcurrentHashMap<>();
  private static final ScheduledExecutorService SNAPSHOTS =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "synapse-descendants");
            thread.setDaemon(true);
            return thread;
          });

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(LiveProcesses::killAll, "synapse-shutdown"));
    long millis = SNAPSHOT_INTERVAL.toMillis();
    SNAPSHOTS.scheduleWithFixedDelay(
        LiveProcesses::snapshotQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  private LiveProcesses() {}

  /** Registers a started process. */
  public static void add(Process process) {
    LIVE.put(process.pid(), new Family(process));
  }

  /** Forgets a process that has ended, and kills whatever it started that is still alive. */
  public static void remove(Process process) {
    Family family = LIVE.get(process.pid());
    if (family != null && family.process == process && LIVE.remove(process.pid(), family)) {
      family.close().forEach(ProcessHandle::destroyForcibly);
      InheritedPipes.holders(family.pipes).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Lists this JVM's descendants now and files the new ones; the tracking thread calls it
   * periodically, a test may call it to take a snapshot at a known moment.
   */
  public static void snapshot() {
    if (LIVE.isEmpty()) {
      return;
    }
    Set<Long> filed = new HashSet<>();
    for (Family family : LIVE.values()) {
      filed.addAll(family.prune());
    }
    for (ProcessHandle handle : ProcessHandle.current().descendants().toList()) {
      if (!LIVE.containsKey(handle.pid()) && !filed.contains(handle.pid())) {
        Family owner = ownerOf(handle);
        if (owner != null) {
          owner.file(handle);
        }
      }
    }
  }

  /** The pids filed under the registered process {@code pid}. */
  public static Set<Long> tracked(long pid) {
    Family family = LIVE.get(pid);
    return family == null ? Set.of() : family.pids();
  }

  private static void snapshotQuietly() {
    try {
      snapshot();
    } catch (RuntimeException e) {
      // A process table that cannot be read this time; the next snapshot tries again.
    }
  }

  /** The registered process that {@code handle} descends from, or null. */
  private static Family ownerOf(ProcessHandle handle) {
    Optional<ProcessHandle> ancestor = handle.parent();
    while (ancestor.isPresent() && ancestor.get().pid() != SELF) {
      Family family = LIVE.get(ancestor.get().pid());
      if (family != null) {
        return family;
      }
      ancestor = ancestor.get().parent();
    }
    return null;
  }

  private static void killAll() {
    for (Family family : LIVE.values()) {
      List<ProcessHandle> filed = family.close();
      ProcessTree.kill(family.process, family.process.descendants().toList());
      filed.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** A registered process and what has been filed under it. */
  private static final class Family {
    private final Process process;
    private final Set<String> pipes;
    private final Set<ProcessHandle> descendants = new HashSet<>();
    private boolean closed;

    Family(Process process) {
      this.process = process;
      this.pipes = InheritedPipes.of(process.pid());
    }

    synchronized void file(ProcessHandle handle) {
      if (!closed) {
        descendants.add(handle);
      }
    }

    /** Drops the processes that have ended; returns the pids of the others. */
    synchronized Set<Long> prune() {
      descendants.removeIf(handle -> !handle.isAlive());
      return pids();
    }

    synchronized Set<Long> pids() {
      return descendants.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Stops filing; returns what was filed. */
    synchronized List<ProcessHandle> close() {
      closed = true;
      List<ProcessHandle> all = List.copyOf(descendants);
      descendants.clear();
      return all;
    }
  }
}
