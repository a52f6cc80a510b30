package dev.synapse;

/**
 * The base of every failure that Synapse reports. Unchecked: a call either returns its answer or
 * throws a subclass that says what went wrong and carries the data to act on it.
 *
 * <p>Misuse of the API (a bad argument, a call in the wrong state) is reported with the standard
 * {@link IllegalArgumentException} and {@link IllegalStateException} instead.
 */
public class SynapseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public SynapseException(String message) {
    super(message);
  }

  /** Creates an exception with a message and its cause. */
  public SynapseException(String message, Throwable cause) {
    super(message, cause);
  }
}
