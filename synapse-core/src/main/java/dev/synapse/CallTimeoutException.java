package dev.synapse;

import java.time.Duration;

/**
 * A call did not get its answer within its timeout. On a {@code pysynapse} worker the call is
 * cancelled in Python (an {@code async def} handler is interrupted; a plain one that already runs
 * finishes, and its answer is dropped) and the worker keeps serving. A seed-style worker cannot be
 * told to drop a call, so it is replaced; {@link #workerReplaced()} says so.
 */
public class CallTimeoutException extends SynapseException {
  private static final long serialVersionUID = 1L;

  private final Duration timeout;
  private final boolean workerReplaced;

  /** Creates the exception. */
  public CallTimeoutException(Duration timeout, boolean workerReplaced) {
    super(
        "Call timed out after "
            + timeout.toMillis()
            + " ms"
            + (workerReplaced
                ? "; the worker runs a seed-style loop, which cannot drop a call, so it was replaced"
                : ""));
    this.timeout = timeout;
    this.workerReplaced = workerReplaced;
  }

  /** The timeout that passed. */
  public Duration timeout() {
    return timeout;
  }

  /** Whether the worker was killed and replaced because of this timeout. */
  public boolean workerReplaced() {
    return workerReplaced;
  }
}
