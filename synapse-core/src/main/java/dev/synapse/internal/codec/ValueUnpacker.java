package dev.synapse.internal.codec;

import dev.synapse.ExtensionValue;
import dev.synapse.ProtocolException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads one value of a frame the worker sent, which may be corrupt or hostile: the recursion stops
 * at {@link ValueCodec#MAX_DEPTH} (about 400 KiB of stack; a thread with less reports a {@link
 * ProtocolException}), and a header's claimed length or element count is believed only as far as
 * the bytes left in the input allow, so a tiny frame cannot make the reader allocate much.
 */
final class ValueUnpacker {
  private static final byte TIMESTAMP_EXT = -1;

  /**
   * Containers start no larger than this, nor than the bytes left (each element takes one at
   * least); more elements make them grow as they arrive.
   */
  private static final int PRESIZE_LIMIT = 1024;

  private final MessageUnpacker unpacker;
  private final long inputLength;
  private final SharedValues shared;

  ValueUnpacker(MessageUnpacker unpacker, long inputLength, SharedValues shared) {
    this.unpacker = unpacker;
    this.inputLength = inputLength;
    this.shared = shared;
  }

  Object read() throws IOException {
    try {
      return read(0);
    } catch (StackOverflowError e) { // the unpacker is reset for the next frame: nothing to repair
      throw new ProtocolException(
          "The worker sent a value nested deeper than the reading thread's stack allows");
    }
  }

  /** Reads a value inside {@code level} containers. */
  private Object read(int level) throws IOException {
    MessageFormat format = unpacker.getNextFormat();
    switch (format.getValueType()) {
      case NIL:
        unpacker.unpackNil();
        return null;
      case BOOLEAN:
        return unpacker.unpackBoolean();
      case INTEGER:
        if (format == MessageFormat.UINT64) {
          BigInteger big = unpacker.unpackBigInteger();
          return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        return unpacker.unpackLong();
      case FLOAT:
        return format == MessageFormat.FLOAT32
            ? (Object) unpacker.unpackFloat()
            : (Object) unpacker.unpackDouble();
      case STRING:
        return unpacker.unpackString(); // decodes in slices: a claimed length allocates nothing
      case BINARY:
        return unpacker.readPayload(available(unpacker.unpackBinaryHeader(), "a binary value"));
      case ARRAY:
        return readList(unpacker.unpackArrayHeader(), level + 1);
      case MAP:
        return readMap(unpacker.unpackMapHeader(), level + 1);
      case EXTENSION:
        return readExtension(unpacker.unpackExtensionTypeHeader());
      default:
        throw new IOException("Unknown MessagePack format " + format);
    }
  }

  private List<Object> readList(int size, int depth) throws IOException {
    checkDepth(depth);
    List<Object> list = new ArrayList<>(presize(size));
    for (int i = 0; i < size; i++) {
      list.add(read(depth));
    }
    return list;
  }

  private Map<Object, Object> readMap(int entries, int depth) throws IOException {
    checkDepth(depth);
    int expected = presize(entries);
    Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, expected * 4 / 3 + 1));
    for (int i = 0; i < entries; i++) {
      Object key = read(depth);
      map.put(key, read(depth));
    }
    return map;
  }

  private Object readExtension(ExtensionTypeHeader header) throws IOException {
    int length = available(header.getLength(), "an extension value");
    if (header.getType() == TIMESTAMP_EXT) {
      return unpacker.unpackTimestamp(header);
    }
    if (header.getType() == NDArrayCodec.EXT_TYPE) {
      return NDArrayCodec.unpack(unpacker, length);
    }
    if (header.getType() == SharedValues.EXT_TYPE) {
      return readShared(unpacker.readPayload(length));
    }
    return new ExtensionValue(header.getType(), unpacker.readPayload(length));
  }

  /** The value a reference into shared memory stands for, as if its bytes had been in line. */
  private Object readShared(byte[] reference) throws IOException {
    if (shared == null) {
      throw new ProtocolException(
          "The worker sent a shared-memory reference, but it has no shared memory");
    }
    SharedValues.Referenced value = shared.read(reference);
    if (value.view() != null) {
      return value.view();
    }
    byte[] bytes = value.bytes();
    int code = value.code();
    if (code == SharedValues.BINARY) {
      return bytes;
    }
    if (code == NDArrayCodec.EXT_TYPE) {
      return NDArrayCodec.unpack(bytes);
    }
    if (code < 0 || code == SharedValues.EXT_TYPE) {
      throw new ProtocolException(
          "The worker sent a shared-memory reference to an extension value of code " + code);
    }
    return new ExtensionValue((byte) code, bytes);
  }

  private int presize(int elements) {
    long left = inputLength - unpacker.getTotalReadBytes();
    return (int) Math.max(0, Math.min(elements, Math.min(left, PRESIZE_LIMIT)));
  }

  private static void checkDepth(int depth) {
    if (depth > ValueCodec.MAX_DEPTH) {
      throw new ProtocolException(
          "The worker sent a value nested deeper than " + ValueCodec.MAX_DEPTH + " levels");
    }
  }

  /** {@code length}, if the input has that many bytes left. */
  private int available(int length, String what) {
    long left = inputLength - unpacker.getTotalReadBytes();
    if (length > left) {
      throw new ProtocolException(
          "The worker sent "
              + what
              + " of "
              + Integer.toUnsignedString(length)
              + " bytes in a frame with "
              + left
              + " bytes left");
    }
    return length;
  }
}
