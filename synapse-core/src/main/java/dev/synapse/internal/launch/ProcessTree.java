package dev.synapse.internal.launch;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ends a worker together with every process it started. The descendants are listed before the
 * worker goes, because once it has exited its orphans are no longer its descendants and could not
 * be found again.
 */
public final class ProcessTree {
  private static final boolean IS_UNIX = !System.getProperty("os.name").startsWith("Windows");

  private ProcessTree() {}

  /** The process's descendants at this moment. */
  public static List<ProcessHandle> descendants(Process process) {
    return process.descendants().toList();
  }

  /**
   * Waits up to {@code grace} for {@code process} to exit by itself, then force-kills it, and in
   * any case force-kills whatever is left of {@code family} (its descendants as listed earlier and
   * now).
   *
   * @return whether the process had to be killed
   */
  public static boolean end(Process process, List<ProcessHandle> family, Duration grace) {
    boolean killed = false;
    try {
      if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        killed = true;
        kill(process, family);
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killed = true;
      kill(process, family);
    }
    family.forEach(ProcessHandle::destroyForcibly);
    return killed;
  }

  /** Force-kills {@code process}, its current descendants and {@code family}. */
  public static void kill(Process process, List<ProcessHandle> family) {
    List<ProcessHandle> now = process.descendants().toList();
    process.destroyForcibly();
    now.forEach(ProcessHandle::destroyForcibly);
    family.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Kills the process group that a worker leads (its bootstrap makes it a group leader), which
   * reaches children that outlived it and are no longer its descendants. A group that no longer
   * exists, or a worker that never became a leader, makes this a no-op.
   */
  public static void killGroup(long leaderPid) {
    if (!IS_UNIX) {
      return;
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-KILL", "--", "-" + leaderPid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // No kill command: the descendants listed earlier were killed one by one already.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
