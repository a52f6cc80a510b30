package dev.synapse.internal.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferOutput;

/**
 * Where a packer puts one frame's body: a scratch array that its thread reuses from frame to frame,
 * so that encoding a small call allocates only the body's own bytes. A payload of {@link #OWN_PART}
 * bytes or more becomes a part of its own, referenced when the packer adds it and copied once when
 * it writes it, so large values never pass through the scratch array.
 *
 * <p>A body serves one frame at a time, on the thread that {@linkplain #open() opened} it, until it
 * is {@linkplain #close() closed}. A frame encoded while another one is (a value whose conversion
 * makes a call) gets a body of its own.
 */
final class FrameBody implements MessageBufferOutput {
  /** Payloads at least this long are parts of their own rather than bytes in the scratch array. */
  static final int OWN_PART = 8 * 1024;

  private static final int INITIAL = 512;

  /**
   * A scratch array that grew past this is dropped after its frame: a thread that ever encoded
   * keeps this much at most.
   */
  private static final int KEPT = 16 * 1024;

  private static final ThreadLocal<FrameBody> OF_THREAD = new ThreadLocal<>();

  private byte[] scratch = new byte[INITIAL];
  private MessageBuffer wholeScratch =
      MessageBuffer.wrap(scratch); // kept: every frame starts in it
  private int end; // the body's bytes not yet in parts are scratch[0, end)
  private List<MessageBuffer> parts; // null while the whole body is in the scratch array
  private boolean open;

  private FrameBody() {}

  /** An empty body for a new frame: this thread's own, unless that one is open. */
  static FrameBody open() {
    FrameBody body = OF_THREAD.get();
    if (body == null) {
      body = new FrameBody();
      OF_THREAD.set(body);
    } else if (body.open) {
      body = new FrameBody();
    }
    body.open = true;
    return body;
  }

  @Override
  public MessageBuffer next(int minimumSize) {
    reserve(minimumSize);
    return end == 0 ? wholeScratch : MessageBuffer.wrap(scratch, end, scratch.length - end);
  }

  @Override
  public void writeBuffer(int length) {
    end += length;
  }

  @Override
  public void write(byte[] buffer, int offset, int length) {
    if (length >= OWN_PART) {
      addPart(MessageBuffer.wrap(Arrays.copyOfRange(buffer, offset, offset + length)));
      return;
    }
    reserve(length);
    System.arraycopy(buffer, offset, scratch, end, length);
    end += length;
  }

  @Override
  public void add(byte[] buffer, int offset, int length) {
    if (length >= OWN_PART) {
      addPart(MessageBuffer.wrap(buffer, offset, length));
    } else {
      write(buffer, offset, length);
    }
  }

  /**
   * The frame's body, as buffers that belong to the frame (or reference the caller's large
   * payloads), before this body is {@linkplain #close() closed}.
   */
  List<MessageBuffer> take() {
    if (parts == null) {
      return List.of(copyOfScratch());
    }
    moveScratchToParts();
    return parts;
  }

  private void addPart(MessageBuffer part) {
    if (parts == null) {
      parts = new ArrayList<>();
    }
    moveScratchToParts();
    parts.add(part);
  }

  private void moveScratchToParts() {
    if (end > 0) {
      parts.add(copyOfScratch());
      end = 0;
    }
  }

  private MessageBuffer copyOfScratch() {
    return MessageBuffer.wrap(Arrays.copyOf(scratch, end));
  }

  private void reserve(int length) {
    if (scratch.length - end < length) {
      replaceScratch(Arrays.copyOf(scratch, Math.max(2 * scratch.length, end + length)));
    }
  }

  private void replaceScratch(byte[] replacement) {
    scratch = replacement;
    wholeScratch = MessageBuffer.wrap(replacement);
  }

  @Override
  public void flush() {}

  /** Ends this body's frame, taken or not (an encoding that failed), and empties it. */
  @Override
  public void close() {
    end = 0;
    parts = null;
    if (scratch.length > KEPT) {
      replaceScratch(new byte[INITIAL]);
    }
    open = false;
  }
}
