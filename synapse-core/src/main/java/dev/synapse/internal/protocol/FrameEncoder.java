package dev.synapse.internal.protocol;

import dev.synapse.FrameTooLargeException;
import java.io.IOException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes frame bodies with a packer and a {@link FrameBody} that each thread keeps for its next
 * frame: a call's encoding then allocates little more than the body's bytes, which matters most
 * when many threads call at once.
 */
final class FrameEncoder {
  private static final MessagePack.PackerConfig PACKER_CONFIG = new MessagePack.PackerConfig();

  /**
   * The encoder this thread's next frame may use. An encoder is taken out while it works, so an
   * encoding nested in another one (a value whose conversion makes a call) gets one of its own; it
   * is given back only after a frame succeeded, since a failure can leave bytes in its packer.
   */
  private static final ThreadLocal<FrameEncoder> SPARE = new ThreadLocal<>();

  private final FrameBody body = new FrameBody();
  private final MessagePacker packer = PACKER_CONFIG.newPacker(body);

  private FrameEncoder() {}

  static OutboundFrame encode(OutboundFrame.Body content, int maxFrameBytes) throws IOException {
    FrameEncoder encoder = SPARE.get();
    if (encoder == null) {
      encoder = new FrameEncoder();
    } else {
      SPARE.set(null);
    }
    OutboundFrame frame = encoder.encodeOne(content, maxFrameBytes);
    SPARE.set(encoder);
    return frame;
  }

  private OutboundFrame encodeOne(OutboundFrame.Body content, int maxFrameBytes)
      throws IOException {
    content.writeTo(packer);
    packer.flush();
    long length = packer.getTotalWrittenBytes();
    if (length > maxFrameBytes) {
      throw new FrameTooLargeException("The call's input", length, maxFrameBytes);
    }
    packer.reset(body); // counts the next frame's bytes from zero
    return new OutboundFrame(body.take(), length);
  }
}
