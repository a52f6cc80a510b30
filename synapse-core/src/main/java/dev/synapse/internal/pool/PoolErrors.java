package dev.synapse.internal.pool;

import dev.synapse.CallTimeoutException;
import dev.synapse.InstanceDisposedException;
import dev.synapse.WorkerExitedException;
import dev.synapse.internal.supervision.Failures;

/** How a pool words the failures of its calls: its own timeout, and a dead worker named as such. */
final class PoolErrors {
  private PoolErrors() {}

  /** The failure of {@code call}, sent to {@code member}, as the pool reports it. */
  static Throwable translate(
      PoolCall call, Member member, Throwable error, boolean wasClosed, int retried) {
    if (error instanceof CallTimeoutException timedOut) {
      CallTimeoutException e = new CallTimeoutException(call.timeout(), timedOut.workerReplaced());
      e.initCause(timedOut);
      return e;
    }
    if (error instanceof InstanceDisposedException
        || (wasClosed && error instanceof WorkerExitedException)) {
      return new InstanceDisposedException(
          "The pool was disposed before the worker answered", error);
    }
    if (error instanceof WorkerExitedException exited) {
      String message =
          "Worker "
              + member.pid
              + " of the pool ended before it answered (exit code "
              + exited.exitCode()
              + "); the pool replaces it and its other workers keep serving"
              + (retried > 0
                  ? " (the call was sent " + (retried + 1) + " times, the most its request allows)"
                  : "");
      WorkerExitedException e =
          new WorkerExitedException(message, exited.exitCode(), exited.stderrTail());
      e.initCause(exited);
      return e;
    }
    return error;
  }

  /** The failure of a call that reached {@code member}'s supervisor after it was let go of. */
  static WorkerExitedException memberGone(Member member, Throwable disposed) {
    WorkerExitedException e =
        new WorkerExitedException(
            "Worker " + member.pid + " ended before the call reached it", -1, "");
    e.initCause(disposed);
    return e;
  }

  /** Why a call cannot be made: no slot has a worker any more. */
  static RuntimeException notRunning(PoolState state) {
    RuntimeException cause;
    synchronized (state.lock) {
      cause = state.lastFailure;
    }
    return Failures.notRunning(
        "No worker of the pool is running",
        cause,
        "; the pool's restart policy ("
            + state.settings.restartPolicy()
            + ") gave up; call spawn() to start the pool again");
  }
}
