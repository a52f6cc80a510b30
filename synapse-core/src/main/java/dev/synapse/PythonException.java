package dev.synapse;

/**
 * The Python side failed the call: the handler raised, its answer could not be encoded, the
 * function does not exist, or a seed-style module answered with a map holding an {@code "error"}
 * key. The worker is still serving; only this call failed.
 */
public class PythonException extends SynapseException {
  private static final long serialVersionUID = 1L;

  /** Why the Python side failed the call. */
  public enum Kind {
    /** The handler raised an exception. */
    HANDLER,
    /** The handler's answer could not be encoded, or exceeded the maximum frame size. */
    ENCODE,
    /** No function of the requested name exists in the module. */
    FUNCTION,
    /** The call was cancelled while its async handler ran. */
    CANCELLED,
    /** A seed-style module answered {@code {"error": ...}}. */
    ERROR_ANSWER
  }

  private final Kind kind;
  private final String pythonType;
  private final String pythonMessage;
  private final String pythonTraceback;

  /**
   * Creates the exception.
   *
   * @param kind why the call failed
   * @param pythonType the exception's qualified Python class name, e.g. {@code ValueError}
   * @param pythonMessage {@code str(exception)}
   * @param pythonTraceback the formatted Python traceback, possibly empty
   */
  public PythonException(
      Kind kind, String pythonType, String pythonMessage, String pythonTraceback) {
    super(describe(pythonType, pythonMessage, pythonTraceback));
    this.kind = kind;
    this.pythonType = pythonType;
    this.pythonMessage = pythonMessage;
    this.pythonTraceback = pythonTraceback == null ? "" : pythonTraceback;
  }

  /** Why the call failed. */
  public Kind kind() {
    return kind;
  }

  /** The Python exception's qualified class name, e.g. {@code ValueError}. */
  public String pythonType() {
    return pythonType;
  }

  /** The Python exception's message, {@code str(exception)}. */
  public String pythonMessage() {
    return pythonMessage;
  }

  /** The formatted Python traceback; empty when there is none (seed-style error answers). */
  public String pythonTraceback() {
    return pythonTraceback;
  }

  private static String describe(String type, String message, String traceback) {
    String head = type == null || type.isEmpty() ? message : type + ": " + message;
    if (traceback == null || traceback.isBlank()) {
      return head;
    }
    return head + "\n--- Python traceback ---\n" + traceback.stripTrailing();
  }
}
