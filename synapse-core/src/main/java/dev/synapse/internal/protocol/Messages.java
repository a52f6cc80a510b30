package dev.synapse.internal.protocol;

import dev.synapse.ProtocolException;
import dev.synapse.SynapseException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.codec.ValueCodec;
import java.util.List;
import java.util.Map;

/**
 * The messages of the envelope protocol and the READY frame, as specified in {@code
 * docs/protocol.md}: encoding what the host sends and decoding what the worker sends.
 */
public final class Messages {
  /** READY, worker to host. */
  public static final int READY = 0;

  /** CALL (host to worker) and RESULT (worker to host). */
  public static final int CALL_OR_RESULT = 1;

  /** CANCEL (host to worker) and ERROR (worker to host). */
  public static final int CANCEL_OR_ERROR = 2;

  /** CREDIT (host to worker) and ITEM (worker to host). */
  public static final int CREDIT_OR_ITEM = 3;

  /** STREAM (host to worker) and END (worker to host). */
  public static final int STREAM_OR_END = 4;

  /** MAPPED, worker to host: {@code [9, segment]} (see "Shared memory" in docs/protocol.md). */
  public static final int MAPPED = 9;

  /** GROW, worker to host: {@code [10, bytes]}. */
  public static final int GROW = 10;

  private Messages() {}

  /** Encodes {@code [1, id, function, input]}. */
  public static OutboundFrame call(long id, String function, Object input, int maxFrameBytes) {
    return call(id, function, input, maxFrameBytes, null);
  }

  /**
   * Encodes {@code [1, id, function, input]}, with large values of the input placed in {@code
   * shared} (null: none).
   */
  public static OutboundFrame call(
      long id, String function, Object input, int maxFrameBytes, SharedValues shared) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(4).packInt(CALL_OR_RESULT).packLong(id);
          if (function == null) {
            packer.packNil();
          } else {
            packer.packString(function);
          }
          ValueCodec.pack(packer, input, shared);
        },
        maxFrameBytes);
  }

  /** Encodes {@code [4, id, function, input, credit]}: a call whose answer is a stream of items. */
  public static OutboundFrame stream(
      long id, String function, Object input, long credit, int maxFrameBytes) {
    return stream(id, function, input, credit, maxFrameBytes, null);
  }

  /** Encodes a STREAM message, with large values of the input placed in {@code shared}. */
  public static OutboundFrame stream(
      long id, String function, Object input, long credit, int maxFrameBytes, SharedValues shared) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(5).packInt(STREAM_OR_END).packLong(id);
          if (function == null) {
            packer.packNil();
          } else {
            packer.packString(function);
          }
          ValueCodec.pack(packer, input, shared);
          packer.packLong(credit);
        },
        maxFrameBytes);
  }

  /** Encodes {@code [2, id]}. */
  public static OutboundFrame cancel(long id) {
    return OutboundFrame.encode(
        packer -> packer.packArrayHeader(2).packInt(CANCEL_OR_ERROR).packLong(id), 16);
  }

  /**
   * Encodes {@code [3, id, count]}: the worker may send {@code count} more items of stream {@code
   * id}.
   */
  public static OutboundFrame credit(long id, long count) {
    return OutboundFrame.encode(
        packer -> packer.packArrayHeader(3).packInt(CREDIT_OR_ITEM).packLong(id).packLong(count),
        32);
  }

  /** Encodes a bare value, the body of a seed-style request. */
  public static OutboundFrame bare(Object input, int maxFrameBytes) {
    return OutboundFrame.encode(packer -> ValueCodec.pack(packer, input), maxFrameBytes);
  }

  /**
   * Decodes the READY frame.
   *
   * @throws ProtocolException if the frame is not READY
   */
  public static WorkerInfo decodeReady(InboundFrame frame) {
    Object message = new MessageDecoder().bare(frame);
    if (message instanceof List<?> list
        && list.size() == 2
        && Long.valueOf(READY).equals(list.get(0))
        && list.get(1) instanceof Map<?, ?> info) {
      return workerInfo(info);
    }
    throw new ProtocolException(
        "The worker's first frame is not the READY message: is the module started through pysynapse's bootstrap?");
  }

  /**
   * Whether the READY frame says the worker speaks the shared-memory messages (its {@code shm} key
   * is 1 or more).
   */
  public static boolean supportsSharedMemory(InboundFrame ready) {
    Object message = new MessageDecoder().bare(ready);
    return message instanceof List<?> list
        && list.size() == 2
        && list.get(1) instanceof Map<?, ?> info
        && info.get("shm") instanceof Long version
        && version >= 1;
  }

  private static WorkerInfo workerInfo(Map<?, ?> info) {
    Object protocol = info.get("protocol");
    if (!Long.valueOf(1).equals(protocol)) {
      throw new ProtocolException(
          "The worker speaks protocol version " + protocol + "; this library speaks 1");
    }
    Object mode = info.get("mode");
    if (!"legacy".equals(mode) && !"pysynapse".equals(mode)) {
      throw new ProtocolException("The worker announced an unknown mode " + mode);
    }
    List<String> functions =
        info.get("functions") instanceof List<?> names
            ? names.stream().map(String::valueOf).toList()
            : List.of();
    return new WorkerInfo(
        info.get("pid") instanceof Long pid ? pid : -1L,
        String.valueOf(info.get("python")),
        String.valueOf(info.get("pysynapse")),
        String.valueOf(info.get("codec")),
        "legacy".equals(mode),
        functions);
  }

  /**
   * A decoded message of the worker: RESULT ({@link #CALL_OR_RESULT}, with {@code value}), ERROR
   * ({@link #CANCEL_OR_ERROR}, with {@code error}: a {@link dev.synapse.PythonException}, or an
   * {@link dev.synapse.EncodingException} if the worker could not decode the input), ITEM ({@link
   * #CREDIT_OR_ITEM}, with {@code value}) or END ({@link #STREAM_OR_END}).
   */
  public record Answer(int type, long id, Object value, SynapseException error) {}
}
