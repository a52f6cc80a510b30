package dev.synapse.internal.protocol;

import dev.synapse.FrameTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * One encoded frame waiting to be written: the body as buffers of its own, except that a large
 * {@code byte[]} input is referenced rather than copied on its way to the pipe ({@link FrameBody}).
 */
public final class OutboundFrame {
  private final List<MessageBuffer> parts;
  private final long length;
  private volatile long end = -1;

  private OutboundFrame(List<MessageBuffer> parts, long length) {
    this.parts = parts;
    this.length = length;
  }

  /** What writes the body of a frame. */
  @FunctionalInterface
  public interface Body {
    /** Packs the frame's body. */
    void writeTo(MessagePacker packer) throws IOException;
  }

  /**
   * Encodes a frame.
   *
   * @throws FrameTooLargeException if the body is longer than {@code maxFrameBytes}
   * @throws dev.synapse.EncodingException if a value has no MessagePack form
   */
  public static OutboundFrame encode(Body body, int maxFrameBytes) {
    FrameBody out = FrameBody.open();
    try {
      // A packer per frame: it is small, and none can carry bytes over from a frame that failed.
      MessagePacker packer = MessagePack.newDefaultPacker(out);
      body.writeTo(packer);
      packer.flush();
      long length = packer.getTotalWrittenBytes();
      if (length > maxFrameBytes) {
        throw new FrameTooLargeException("The call's input", length, maxFrameBytes);
      }
      return new OutboundFrame(out.take(), length);
    } catch (IOException e) {
      throw new UncheckedIOException("Encoding to memory failed", e);
    } finally {
      out.close();
    }
  }

  /** The body's buffers, in order. */
  public List<MessageBuffer> parts() {
    return parts;
  }

  /** The body's length in bytes. */
  public long length() {
    return length;
  }

  /**
   * Where the frame ends in the stream it was written to (header included), counted from the
   * stream's start; -1 until it is written.
   */
  public long end() {
    return end;
  }

  /** Records where the frame ended up; called by the one who writes it. */
  public void written(long end) {
    this.end = end;
  }
}
