package dev.synapse;

/**
 * A call's input cannot be sent: it has no MessagePack form, or the worker could not decode it.
 *
 * <p>Refused before anything is sent, with the path to the offending part in the message ({@code $}
 * is the input, {@code .name} the value of a map entry whose key is a string, {@code [3]} a list or
 * array element or the value of a map entry whose key is not a string, {@code {key 2}} the key of a
 * map's third entry, e.g. {@code $.rows[3]{key 0}}): a value of an unsupported type, an integer
 * beyond 64 bits, a map key that would not be hashable in Python (a list, array, map, record, POJO
 * or {@code NDArray}), an {@code Instant} outside years 1 to 9999, an {@code ExtensionValue} of a
 * reserved code or one that does not hold what its code says, a string with a lone UTF-16
 * surrogate, nesting deeper than 512 levels, or a value that contains itself. The limits are listed
 * in {@code docs/protocol.md}, section "Limits".
 *
 * <p>Also thrown when the worker answers that it could not decode the input (an ERROR of kind
 * {@code "decode"}); the message then gives the worker's reason. Either way the worker stays
 * usable.
 */
public class EncodingException extends SynapseException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public EncodingException(String message) {
    super(message);
  }
}
