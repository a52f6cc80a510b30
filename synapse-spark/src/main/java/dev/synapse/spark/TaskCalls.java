package dev.synapse.spark;

import dev.synapse.ExtensionValue;
import dev.synapse.Request;
import dev.synapse.SynapseException;
import dev.synapse.SynapsePool;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.TaskInterruptListener;

/**
 * The calls of one Spark task to its executor's pool, each tied to the task's life: when Spark
 * kills the task (job cancelled, speculative copy no longer needed), the call in flight is
 * cancelled in its worker and the task ends with Spark's {@code TaskKilledException}.
 *
 * <p>Used by the task's thread only; the kill arrives on another thread, through the task's
 * interrupt listener, and only cancels the future.
 */
final class TaskCalls {
  /** Extension code of an Arrow IPC stream (docs/protocol.md). */
  static final byte ARROW = 2;

  private final SynapsePool pool;
  private final String function;
  private final TaskContext task;
  private volatile CompletableFuture<Object> inFlight;
  private long calls;
  private long pythonNanos;

  TaskCalls(SynapsePool pool, String function, TaskContext task) {
    this.pool = pool;
    this.function = function;
    this.task = task;
    if (task != null) {
      task.addTaskInterruptListener((TaskInterruptListener) (context, reason) -> cancelInFlight());
      task.addTaskCompletionListener((TaskCompletionListener) context -> cancelInFlight());
    }
  }

  /** Sends one batch (an Arrow IPC stream) and returns the answer's Arrow IPC stream. */
  byte[] call(byte[] batch) {
    long start = System.nanoTime();
    CompletableFuture<Object> answer =
        pool.executeAsync(Request.invoke(function, new ExtensionValue(ARROW, batch)));
    inFlight = answer;
    try {
      if (task != null && task.isInterrupted()) {
        answer.cancel(true); // killed before the listener could see this call
      }
      return arrowBody(answer.get());
    } catch (CancellationException e) {
      killIfInterrupted();
      throw e;
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      killIfInterrupted();
      throw new SynapseException("Interrupted while waiting for Python's answer", e);
    } catch (ExecutionException e) {
      killIfInterrupted();
      throw rethrow(e.getCause());
    } finally {
      inFlight = null;
      calls++;
      pythonNanos += System.nanoTime() - start;
    }
  }

  long calls() {
    return calls;
  }

  long pythonNanos() {
    return pythonNanos;
  }

  private void cancelInFlight() {
    CompletableFuture<Object> call = inFlight;
    if (call != null) {
      call.cancel(true);
    }
  }

  private void killIfInterrupted() {
    if (task != null) {
      task.killTaskIfInterrupted();
    }
  }

  private byte[] arrowBody(Object answer) {
    if (answer instanceof ExtensionValue value && value.type() == ARROW) {
      return value.data();
    }
    throw new SynapseException(
        "The Python function '"
            + function
            + "' must return Arrow record batches, returned "
            + (answer == null ? "None" : answer.getClass().getSimpleName()));
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new SynapseException(String.valueOf(cause), cause);
  }
}
