package dev.synapse.internal.protocol;

import dev.synapse.EncodingException;
import dev.synapse.ProtocolException;
import dev.synapse.PythonException;
import dev.synapse.SynapseException;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.codec.ValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferInput;
import org.msgpack.value.ValueType;

/**
 * Decodes the frames a worker sends. It keeps one unpacker for all of them: a new one per frame
 * would allocate its string-decoding buffers (16 KiB) for every answer. Not thread-safe: one per
 * reader thread.
 */
public final class MessageDecoder {
  private static final byte[] NOTHING = new byte[0];

  private final ArrayBufferInput input = new ArrayBufferInput(NOTHING);
  private final MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(input);
  private final SharedValues shared;

  /** A decoder for frames without shared-memory references. */
  public MessageDecoder() {
    this(null);
  }

  /** A decoder that resolves shared-memory references through {@code shared} (may be null). */
  public MessageDecoder(SharedValues shared) {
    this.shared = shared;
  }

  /** Decodes a bare value, the body of a seed-style answer or of the READY frame. */
  public Object bare(InboundFrame frame) {
    try {
      start(frame);
      Object value = value(frame);
      if (unpacker.hasNext()) {
        throw new ProtocolException(
            "A frame from the worker holds more than one MessagePack value");
      }
      return value;
    } catch (IOException | RuntimeException e) {
      throw asProtocolError(e);
    } finally {
      release();
    }
  }

  /**
   * Decodes a RESULT, ERROR, ITEM, END, INPUT_CREDIT (whose value is the count, a {@code Long}),
   * HOST_CALL, HOST_CANCEL or PONG frame.
   *
   * @throws ProtocolException if the frame is none of them
   */
  public Messages.Answer answer(InboundFrame frame) {
    try {
      start(frame);
      int size = unpacker.unpackArrayHeader();
      int type = unpacker.unpackInt();
      if (Messages.isBlockList(type)) {
        return new Messages.Answer(type, 0, blockList(size, frame.length()), null);
      }
      long id = unpacker.unpackLong();
      if (type == Messages.HOST_CALL || type == Messages.HOST_CANCEL) {
        return hostMessage(frame, size, type, id);
      }
      if (type == Messages.PONG && size == 2) {
        return new Messages.Answer(type, id, null, null);
      }
      boolean region = Messages.isRegionMessage(type);
      int expected = type == Messages.STREAM_OR_END || region ? 2 : 3;
      if (size != expected
          || !region && (type < Messages.CALL_OR_RESULT || type > Messages.INPUT_OR_CREDIT)) {
        throw new ProtocolException(
            "Unexpected message [" + type + ", ...] of " + size + " elements from the worker");
      }
      if (type == Messages.STREAM_OR_END || region) {
        return new Messages.Answer(type, id, null, null);
      }
      if (type == Messages.INPUT_OR_CREDIT) {
        long count = unpacker.unpackLong();
        if (count < 1 || unpacker.hasNext()) {
          throw new ProtocolException("The worker granted input credit of " + count + " items");
        }
        return new Messages.Answer(type, id, count, null);
      }
      Object value = value(frame);
      if (type == Messages.CANCEL_OR_ERROR) {
        return new Messages.Answer(type, id, null, toException(value));
      }
      return new Messages.Answer(type, id, value, null);
    } catch (IOException | RuntimeException e) {
      throw asProtocolError(e);
    } finally {
      release();
    }
  }

  /**
   * The {@code [segment, offset, ...]} pairs of KEPT or DROPPED, each a number of at least 0, from
   * a frame of {@code frameBytes} bytes (which bounds the count: each takes at least one).
   */
  private long[] blockList(int size, int frameBytes) throws IOException {
    if (size != 2 || unpacker.getNextFormat().getValueType() != ValueType.ARRAY) {
      throw new ProtocolException("A list of shared-memory blocks from the worker is malformed");
    }
    int length = unpacker.unpackArrayHeader();
    if (length == 0 || length % 2 != 0 || length > frameBytes) {
      throw new ProtocolException(
          "A list of shared-memory blocks from the worker has " + length + " numbers");
    }
    long[] pairs = new long[length];
    for (int i = 0; i < length; i++) {
      if (unpacker.getNextFormat().getValueType() != ValueType.INTEGER) {
        throw new ProtocolException("A list of shared-memory blocks holds a non-integer");
      }
      pairs[i] = unpacker.unpackLong();
      if (pairs[i] < 0) {
        throw new ProtocolException("A list of shared-memory blocks holds " + pairs[i]);
      }
    }
    return pairs;
  }

  /** HOST_CALL {@code [6, id, function, payload, parent]} or HOST_CANCEL {@code [7, id]}. */
  private Messages.Answer hostMessage(InboundFrame frame, int size, int type, long id)
      throws IOException {
    if (type == Messages.HOST_CANCEL) {
      if (size != 2) {
        throw new ProtocolException("A HOST_CANCEL of " + size + " elements from the worker");
      }
      return new Messages.Answer(type, id, null, null);
    }
    if (size != 5 || unpacker.getNextFormat().getValueType() != ValueType.STRING) {
      throw new ProtocolException(
          "A HOST_CALL from the worker is not [6, id, function, payload, parent]");
    }
    String function = unpacker.unpackString();
    Object payload = ValueCodec.unpack(unpacker, frame.head().length);
    Long parent = unpacker.tryUnpackNil() ? null : unpacker.unpackLong();
    return new Messages.Answer(type, id, new Messages.HostCall(function, payload, parent), null);
  }

  private void start(InboundFrame frame) throws IOException {
    read(frame.head());
  }

  /** Lets go of the frame, which may be large, while the worker sends nothing else. */
  private void release() {
    try {
      read(NOTHING);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // resetting to an array reads nothing
    }
  }

  private void read(byte[] bytes) throws IOException {
    input.reset(bytes);
    unpacker.reset(input);
  }

  /** The next value: decoded, or the trailing binary value the frame was read with. */
  private Object value(InboundFrame frame) throws IOException {
    byte[] binary = frame.trailingBinary();
    if (binary == null) {
      return ValueCodec.unpack(unpacker, frame.head().length, shared);
    }
    if (unpacker.unpackBinaryHeader() != binary.length || unpacker.hasNext()) {
      throw new ProtocolException("A split frame from the worker does not end in its binary value");
    }
    return binary;
  }

  /**
   * The exception of an ERROR message: an {@link EncodingException} if the worker could not decode
   * the call's input (kind {@code "decode"}), else a {@link PythonException}.
   */
  private static SynapseException toException(Object error) {
    if (!(error instanceof Map<?, ?> map)) {
      return new PythonException(PythonException.Kind.HANDLER, "", String.valueOf(error), "");
    }
    if ("decode".equals(map.get("kind"))) {
      return new EncodingException(
          "The worker could not decode the call's input: "
              + map.get("type")
              + ": "
              + map.get("message"));
    }
    return new PythonException(
        kind(map.get("kind")),
        String.valueOf(map.get("type")),
        String.valueOf(map.get("message")),
        map.get("traceback") instanceof String traceback ? traceback : "");
  }

  private static PythonException.Kind kind(Object kind) {
    if ("encode".equals(kind)) {
      return PythonException.Kind.ENCODE;
    } else if ("function".equals(kind)) {
      return PythonException.Kind.FUNCTION;
    } else if ("cancelled".equals(kind)) {
      return PythonException.Kind.CANCELLED;
    }
    return PythonException.Kind.HANDLER;
  }

  private static ProtocolException asProtocolError(Exception e) {
    if (e instanceof ProtocolException protocolError) {
      return protocolError;
    }
    String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return new ProtocolException(
        "The worker sent a frame that is not valid MessagePack: " + why, e);
  }
}
