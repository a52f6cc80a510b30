package dev.synapse;

/**
 * A call was caught by {@code dispose()} of its {@link Synapse} or {@link SynapsePool}: it waited
 * to be sent, or was in flight when the worker was shut down. A call made after {@code dispose()}
 * is misuse and throws {@link IllegalStateException} instead.
 */
public class InstanceDisposedException extends SynapseException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public InstanceDisposedException(String message) {
    super(message);
  }

  /** Creates the exception with the failure it was noticed by. */
  public InstanceDisposedException(String message, Throwable cause) {
    super(message, cause);
  }
}
