package dev.synapse;

import dev.synapse.internal.supervision.CallFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * How a blocking call waits for its future, shared by {@link Synapse} and {@link SynapsePool}.
 *
 * <p>One failure may end many calls at once (a worker that died fails all its calls with one
 * exception, created on the thread that noticed it). Each waiting caller gets an exception of its
 * own, of the same type and with the same message and data, whose stack trace shows where that
 * caller waited and whose cause is the shared failure.
 */
final class Waiting {
  private Waiting() {}

  /** Waits for {@code call}'s answer; an interrupt cancels the call and restores the flag. */
  static Object await(CompletableFuture<Object> call) {
    if (call instanceof CallFuture answer) {
      answer.spinBriefly();
    }
    try {
      return call.get();
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new SynapseException("Interrupted while waiting for the worker's answer", e);
    } catch (ExecutionException e) {
      throw forCaller(e.getCause());
    }
  }

  /** A new exception for this caller, with {@code shared} as its cause. */
  static RuntimeException forCaller(Throwable shared) {
    RuntimeException own;
    if (shared instanceof WorkerExitedException e) {
      own = new WorkerExitedException(e);
    } else if (shared instanceof SpawnException e) {
      own = new SpawnException(e);
    } else if (shared instanceof FrameTooLargeException e) {
      own = new FrameTooLargeException(e);
    } else if (shared instanceof CallTimeoutException e) {
      own = withCause(new CallTimeoutException(e.timeout(), e.workerReplaced()), e);
    } else if (shared instanceof PythonException e) {
      own =
          withCause(
              new PythonException(e.kind(), e.pythonType(), e.pythonMessage(), e.pythonTraceback()),
              e);
    } else if (shared instanceof EncodingException e) {
      own = withCause(new EncodingException(e.getMessage()), e);
    } else if (shared instanceof ProtocolException e) {
      own = new ProtocolException(e.getMessage(), e);
    } else if (shared instanceof InstanceDisposedException e) {
      own = new InstanceDisposedException(e.getMessage(), e);
    } else if (shared instanceof IllegalStateException e) {
      own = new IllegalStateException(e.getMessage(), e);
    } else {
      own = new SynapseException(shared.getMessage(), shared);
    }
    return own;
  }

  private static RuntimeException withCause(RuntimeException own, Throwable shared) {
    own.initCause(shared);
    return own;
  }
}
