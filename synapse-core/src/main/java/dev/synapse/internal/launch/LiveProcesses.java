package dev.synapse.internal.launch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every worker process this JVM has running, so that a JVM that exits normally (or on SIGTERM)
 * kills them from a shutdown hook. A JVM killed outright cannot run the hook; then each worker's
 * own watchdog notices that its parent is gone and ends itself.
 */
public final class LiveProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(LiveProcesses::killAll, "synapse-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private LiveProcesses() {}

  /** Registers a started worker. */
  public static void add(Process process) {
    LIVE.add(process);
  }

  /** Forgets a worker that has been ended. */
  public static void remove(Process process) {
    LIVE.remove(process);
  }

  private static void killAll() {
    for (Process process : LIVE) {
      ProcessTree.kill(process, process.descendants().toList());
    }
  }
}
