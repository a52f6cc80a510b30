package dev.synapse.internal.protocol;

/**
 * The body of one frame from a worker, as {@link FrameReader} read it: whole in {@code head}, or,
 * for a large frame that ends in one binary value (a {@code byte[]} answer or item, see {@link
 * TrailingBinary}), split into the MessagePack bytes up to and including that value's header and
 * the value's bytes, which were read straight into the array the caller gets.
 *
 * @param head the whole body, or the part of it before the trailing binary value's bytes
 * @param trailingBinary the trailing binary value's bytes, or {@code null} if the body is whole
 */
public record InboundFrame(byte[] head, byte[] trailingBinary) {
  /** A body read in one piece. */
  public static InboundFrame whole(byte[] body) {
    return new InboundFrame(body, null);
  }

  /** The body's length in bytes. */
  public int length() {
    return head.length + (trailingBinary == null ? 0 : trailingBinary.length);
  }
}
