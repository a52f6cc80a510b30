package dev.synapse.internal.protocol;

import dev.synapse.ProtocolException;
import dev.synapse.SynapseException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.codec.ValueCodec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.msgpack.core.MessagePacker;

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

  /** INPUT (host to worker) and INPUT_CREDIT (worker to host). */
  public static final int INPUT_OR_CREDIT = 5;

  /** INPUT_END, host to worker. */
  public static final int INPUT_END = 6;

  /** INPUT_ERROR, host to worker. */
  public static final int INPUT_ERROR = 7;

  /** HOST_CALL, worker to host: the worker calls a function the host exposes. */
  public static final int HOST_CALL = 6;

  /** HOST_CANCEL, worker to host: the worker no longer waits for its HOST_CALL. */
  public static final int HOST_CANCEL = 7;

  /** HOST_RESULT, host to worker: the answer to a HOST_CALL. */
  public static final int HOST_RESULT = 8;

  /** HOST_ERROR, host to worker: a HOST_CALL failed. */
  public static final int HOST_ERROR = 9;

  /** The largest HOST_ERROR frame: its texts are capped well below it. */
  private static final int HOST_ERROR_BYTES = 1024 * 1024;

  /** PONG, worker to host: the answer to a PING. */
  public static final int PONG = 8;

  /** PING, host to worker: is the worker's serve loop turning? */
  public static final int PING = 10;

  /** MAPPED, worker to host: {@code [9, segment]} (see "Shared memory" in docs/protocol.md). */
  public static final int MAPPED = 9;

  /** GROW, worker to host: {@code [10, bytes]}. */
  public static final int GROW = 10;

  /** PLACING, worker to host: {@code [13, bytes]}. */
  public static final int PLACING = 13;

  /** KEPT, worker to host: {@code [14, [segment, offset, ...]]}, host blocks it views. */
  public static final int KEPT = 14;

  /**
   * DROPPED, worker to host: {@code [15, [segment, offset, ...]]}, host blocks it no longer views.
   */
  public static final int DROPPED = 15;

  private Messages() {}

  /**
   * Whether {@code type}, from the worker, is about the shared-memory region (MAPPED, GROW,
   * PLACING, KEPT, DROPPED).
   */
  public static boolean isRegionMessage(int type) {
    return type == MAPPED || type == GROW || type == PLACING || isBlockList(type);
  }

  /** Whether {@code type}, from the worker, names host blocks (KEPT, DROPPED): its value a list. */
  public static boolean isBlockList(int type) {
    return type == KEPT || type == DROPPED;
  }

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

  /**
   * Encodes {@code [1, id, function, nil, {"input": "stream"}]}: a call whose input is a stream of
   * INPUT frames.
   */
  public static OutboundFrame callWithInputStream(long id, String function) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(5).packInt(CALL_OR_RESULT).packLong(id);
          packFunction(packer, function);
          packer.packNil();
          packStreamInputOption(packer);
        },
        Integer.MAX_VALUE);
  }

  /**
   * Encodes {@code [4, id, function, nil, credit, {"input": "stream"}]}: a stream whose input is a
   * stream of INPUT frames.
   */
  public static OutboundFrame streamWithInputStream(long id, String function, long credit) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(6).packInt(STREAM_OR_END).packLong(id);
          packFunction(packer, function);
          packer.packNil();
          packer.packLong(credit);
          packStreamInputOption(packer);
        },
        Integer.MAX_VALUE);
  }

  private static void packFunction(MessagePacker packer, String function) throws IOException {
    if (function == null) {
      packer.packNil();
    } else {
      packer.packString(function);
    }
  }

  private static void packStreamInputOption(MessagePacker packer) throws IOException {
    packer.packMapHeader(1).packString("input").packString("stream");
  }

  /**
   * Encodes {@code [5, id, item]}: the next item of the input stream of call {@code id}.
   *
   * @throws dev.synapse.EncodingException if the item has no MessagePack form
   * @throws dev.synapse.FrameTooLargeException if the frame exceeds {@code maxFrameBytes}
   */
  public static OutboundFrame input(long id, Object item, int maxFrameBytes) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(3).packInt(INPUT_OR_CREDIT).packLong(id);
          ValueCodec.pack(packer, item);
        },
        maxFrameBytes);
  }

  /** Encodes {@code [6, id]}: the input stream of call {@code id} has no more items. */
  public static OutboundFrame inputEnd(long id) {
    return OutboundFrame.encode(
        packer -> packer.packArrayHeader(2).packInt(INPUT_END).packLong(id), 16);
  }

  /**
   * Encodes {@code [7, id, {type, message, position}]}: the input stream of call {@code id} failed
   * with {@code error} while producing item {@code position}.
   */
  public static OutboundFrame inputError(long id, long position, Throwable error) {
    String message = String.valueOf(error.getMessage());
    String shortMessage = message.length() > 4096 ? message.substring(0, 4096) + "..." : message;
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(3).packInt(INPUT_ERROR).packLong(id);
          packer.packMapHeader(3);
          packer.packString("type").packString(error.getClass().getName());
          packer.packString("message").packString(shortMessage);
          packer.packString("position").packLong(position);
        },
        Integer.MAX_VALUE);
  }

  /** Encodes {@code [10, id]}. */
  public static OutboundFrame ping(long id) {
    return OutboundFrame.encode(packer -> packer.packArrayHeader(2).packInt(PING).packLong(id), 16);
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

  /** Encodes {@code [8, id, value]}: the answer to the worker's HOST_CALL {@code id}. */
  public static OutboundFrame hostResult(long id, Object value, int maxFrameBytes) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(3).packInt(HOST_RESULT).packLong(id);
          ValueCodec.pack(packer, value);
        },
        maxFrameBytes);
  }

  /**
   * Encodes {@code [9, id, error]}: HOST_CALL {@code id} failed; {@code error} maps {@code type},
   * {@code message}, {@code traceback} and {@code kind} to strings.
   */
  public static OutboundFrame hostError(long id, Map<String, String> error) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(3).packInt(HOST_ERROR).packLong(id);
          packer.packMapHeader(error.size());
          for (Map.Entry<String, String> entry : error.entrySet()) {
            packer.packString(entry.getKey()).packString(entry.getValue());
          }
        },
        HOST_ERROR_BYTES);
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
        functions,
        info.get("debugPort") instanceof Long port
            ? OptionalInt.of(port.intValue())
            : OptionalInt.empty());
  }

  /**
   * A decoded message of the worker: RESULT ({@link #CALL_OR_RESULT}, with {@code value}), ERROR
   * ({@link #CANCEL_OR_ERROR}, with {@code error}: a {@link dev.synapse.PythonException}, or an
   * {@link dev.synapse.EncodingException} if the worker could not decode the input), ITEM ({@link
   * #CREDIT_OR_ITEM}, with {@code value}), END ({@link #STREAM_OR_END}), HOST_CALL ({@link
   * #HOST_CALL}, with a {@link HostCall} as {@code value}), HOST_CANCEL ({@link #HOST_CANCEL}) or
   * PONG ({@link #PONG}).
   */
  public record Answer(int type, long id, Object value, SynapseException error) {}

  /**
   * A HOST_CALL of the worker ({@link #HOST_CALL}, the {@code value} of its {@link Answer}): the
   * exposed function's name, its payload, and the id of the worker's call it is made for, or null.
   */
  public record HostCall(String function, Object payload, Long parent) {}
}
