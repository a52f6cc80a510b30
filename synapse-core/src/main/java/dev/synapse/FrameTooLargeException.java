package dev.synapse;

/**
 * A frame is larger than the configured maximum frame size. Thrown for a call whose input encodes
 * to more than the maximum (nothing is sent and the worker stays usable); a worker that announces a
 * larger frame is reported with a {@link ProtocolException} caused by this exception.
 */
public class FrameTooLargeException extends SynapseException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /** A copy for one waiting caller, with {@code shared} as its cause. */
  FrameTooLargeException(FrameTooLargeException shared) {
    super(shared.getMessage(), shared);
    this.size = shared.size;
    this.limit = shared.limit;
  }

  /** Creates the exception for a frame of {@code size} bytes against a maximum of {@code limit}. */
  public FrameTooLargeException(String what, long size, long limit) {
    super(what + " of " + size + " bytes exceeds the maximum frame size of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /** The size of the refused frame, in bytes. */
  public long size() {
    return size;
  }

  /** The maximum frame size in force, in bytes. */
  public long limit() {
    return limit;
  }
}
