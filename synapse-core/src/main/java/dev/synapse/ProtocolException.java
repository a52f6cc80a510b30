package dev.synapse;

/**
 * The worker's output could not be read as frames: bytes that are not MessagePack, a truncated
 * frame, a length above the maximum frame size, or a message that breaks the protocol. The stream
 * cannot be trusted after that, so every call in flight fails with this exception and the worker is
 * replaced.
 */
public class ProtocolException extends SynapseException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ProtocolException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
