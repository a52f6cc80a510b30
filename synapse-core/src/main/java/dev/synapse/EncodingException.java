package dev.synapse;

/**
 * A Java value cannot be encoded as MessagePack: an object of an unsupported type, or an integer
 * beyond 64 bits. The message names the type and where in the input it was found, e.g. {@code
 * $.rows[3]}. Nothing was sent; the worker stays usable.
 */
public class EncodingException extends SynapseException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public EncodingException(String message) {
    super(message);
  }
}
