package dev.synapse;

import java.util.Locale;
import java.util.concurrent.CancellationException;

/** How a call ended, as {@link SynapseListener#onCallCompleted} reports it. */
public enum CallOutcome {
  /** It was answered. */
  SUCCESS,
  /**
   * The handler raised, or a seed-style module answered with an error ({@link PythonException}).
   */
  PYTHON_ERROR,
  /**
   * The handler's answer could not be encoded or was too large ({@link
   * PythonException.Kind#ENCODE}).
   */
  ANSWER_NOT_ENCODABLE,
  /** The module has no function of that name ({@link PythonException.Kind#FUNCTION}). */
  NO_SUCH_FUNCTION,
  /**
   * The input could not be encoded, or not decoded by the worker, or was too large ({@link
   * EncodingException}, {@link FrameTooLargeException}).
   */
  INPUT_NOT_ENCODABLE,
  /** Its timeout passed ({@link CallTimeoutException}). */
  TIMEOUT,
  /** The caller cancelled it, or its async handler was cancelled. */
  CANCELLED,
  /** Its worker died or was replaced ({@link WorkerExitedException}). */
  WORKER_EXITED,
  /** The worker wrote something that is not the protocol ({@link ProtocolException}). */
  PROTOCOL_ERROR,
  /** The instance was disposed, or was not running ({@link InstanceDisposedException}). */
  DISPOSED,
  /** Any other failure. */
  OTHER;

  /** The outcome's name in lower case, e.g. {@code python_error}, for a metric's tag. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The outcome of a call that ended with {@code error}; {@code null} means {@link #SUCCESS}. */
  public static CallOutcome of(Throwable error) {
    if (error == null) {
      return SUCCESS;
    } else if (error instanceof PythonException python) {
      return switch (python.kind()) {
        case ENCODE -> ANSWER_NOT_ENCODABLE;
        case FUNCTION -> NO_SUCH_FUNCTION;
        case CANCELLED -> CANCELLED;
        default -> PYTHON_ERROR;
      };
    } else if (error instanceof CancellationException) {
      return CANCELLED;
    } else if (error instanceof CallTimeoutException) {
      return TIMEOUT;
    } else if (error instanceof EncodingException || error instanceof FrameTooLargeException) {
      return INPUT_NOT_ENCODABLE;
    } else if (error instanceof WorkerExitedException) {
      return WORKER_EXITED;
    } else if (error instanceof ProtocolException) {
      return PROTOCOL_ERROR;
    } else if (error instanceof InstanceDisposedException) {
      return DISPOSED;
    }
    return OTHER;
  }
}
