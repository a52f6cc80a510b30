package dev.synapse.internal.codec;

import dev.synapse.EncodingException;
import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Maps Java values to MessagePack and back. This is the single place that decides the value mapping
 * documented in the README; both protocols use it.
 *
 * <p>Encoding failures name the offending type and its path in the input ({@code $.rows[3]}); the
 * path is assembled only while an exception unwinds, so the success path pays nothing for it.
 */
public final class ValueCodec {
  private static final byte TIMESTAMP_EXT = -1;
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);

  /** Binary payloads at least this long are referenced by the packer rather than copied into it. */
  private static final int REFERENCE_THRESHOLD = 8 * 1024;

  private ValueCodec() {}

  /**
   * Writes {@code value} to {@code packer}.
   *
   * @throws EncodingException if the value, or anything inside it, has no MessagePack form
   */
  public static void pack(MessagePacker packer, Object value) throws IOException {
    try {
      packValue(packer, value);
    } catch (UnencodableValue e) {
      throw new EncodingException(
          "Cannot encode "
              + e.problem
              + " at "
              + e.path()
              + ": supported are null, Boolean, integers"
              + " up to 64 bits, Float, Double, String, byte[], ByteBuffer, Instant, NDArray, lists,"
              + " arrays, maps, records and POJOs of these");
    }
  }

  private static void packValue(MessagePacker packer, Object value) throws IOException {
    if (value == null) {
      packer.packNil();
    } else if (value instanceof String s) {
      packer.packString(s);
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      packer.packLong(((Number) value).longValue());
    } else if (value instanceof Boolean b) {
      packer.packBoolean(b);
    } else if (value instanceof Double d) {
      packer.packDouble(d);
    } else if (value instanceof Float f) {
      packer.packFloat(f);
    } else if (value instanceof Map<?, ?> map) {
      packMap(packer, map);
    } else if (value instanceof List<?> list) {
      packer.packArrayHeader(list.size());
      int index = 0;
      for (Object element : list) {
        packElement(packer, element, index++);
      }
    } else if (value instanceof byte[] bytes) {
      packBinary(packer, bytes);
    } else if (value instanceof BigInteger big) {
      if (big.compareTo(INT64_MIN) < 0 || big.compareTo(UINT64_MAX) > 0) {
        throw new UnencodableValue("an integer beyond 64 bits (" + big + ")");
      }
      packer.packBigInteger(big);
    } else if (value instanceof Instant instant) {
      packer.packTimestamp(instant);
    } else if (value instanceof NDArray array) {
      NDArrayCodec.pack(packer, array);
    } else if (value instanceof CharSequence chars) {
      packer.packString(chars.toString());
    } else if (value instanceof ByteBuffer buffer) {
      ByteBuffer view = buffer.duplicate();
      byte[] bytes = new byte[view.remaining()];
      view.get(bytes);
      packBinary(packer, bytes);
    } else if (value instanceof Character c) {
      packer.packString(c.toString());
    } else if (value instanceof Collection<?> collection) {
      packer.packArrayHeader(collection.size());
      int index = 0;
      for (Object element : collection) {
        packElement(packer, element, index++);
      }
    } else if (value.getClass().isArray()) {
      int length = Array.getLength(value);
      packer.packArrayHeader(length);
      for (int i = 0; i < length; i++) {
        packElement(packer, Array.get(value, i), i);
      }
    } else if (value instanceof ExtensionValue ext) {
      packer.packExtensionTypeHeader(ext.type(), ext.data().length);
      packer.writePayload(ext.data());
    } else if (ObjectMapping.isApplicationObject(value)) {
      packApplicationObject(packer, value);
    } else {
      throw new UnencodableValue("a value of type " + value.getClass().getName());
    }
  }

  /** A record or POJO travels as the map of its properties (see {@link ObjectMapping}). */
  private static void packApplicationObject(MessagePacker packer, Object value) throws IOException {
    Map<?, ?> properties;
    try {
      properties = ObjectMapping.toTree(value);
    } catch (IllegalArgumentException e) {
      throw new UnencodableValue(
          "a value of type " + value.getClass().getName() + " (" + e.getMessage() + ")");
    }
    packMap(packer, properties);
  }

  private static void packMap(MessagePacker packer, Map<?, ?> map) throws IOException {
    packer.packMapHeader(map.size());
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String segment = "[" + describeKey(entry.getKey()) + "]";
      try {
        packValue(packer, entry.getKey());
      } catch (UnencodableValue e) {
        throw e.under(segment + "(key)");
      }
      try {
        packValue(packer, entry.getValue());
      } catch (UnencodableValue e) {
        throw e.under(entry.getKey() instanceof String s ? "." + s : segment);
      }
    }
  }

  private static String describeKey(Object key) {
    return key instanceof String s ? '"' + s + '"' : String.valueOf(key);
  }

  private static void packElement(MessagePacker packer, Object element, int index)
      throws IOException {
    try {
      packValue(packer, element);
    } catch (UnencodableValue e) {
      throw e.under("[" + index + "]");
    }
  }

  private static void packBinary(MessagePacker packer, byte[] bytes) throws IOException {
    packer.packBinaryHeader(bytes.length);
    if (bytes.length >= REFERENCE_THRESHOLD) {
      packer.addPayload(bytes);
    } else {
      packer.writePayload(bytes);
    }
  }

  /** Reads one value from {@code unpacker}, with the Java types documented in the README. */
  public static Object unpack(MessageUnpacker unpacker) throws IOException {
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
        return unpacker.unpackString();
      case BINARY:
        return unpacker.readPayload(unpacker.unpackBinaryHeader());
      case ARRAY:
        int size = unpacker.unpackArrayHeader();
        List<Object> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          list.add(unpack(unpacker));
        }
        return list;
      case MAP:
        int entries = unpacker.unpackMapHeader();
        Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, entries * 4 / 3 + 1));
        for (int i = 0; i < entries; i++) {
          Object key = unpack(unpacker);
          map.put(key, unpack(unpacker));
        }
        return map;
      case EXTENSION:
        ExtensionTypeHeader header = unpacker.unpackExtensionTypeHeader();
        if (header.getType() == TIMESTAMP_EXT) {
          return unpacker.unpackTimestamp(header);
        }
        if (header.getType() == NDArrayCodec.EXT_TYPE) {
          return NDArrayCodec.unpack(unpacker, header.getLength());
        }
        return new ExtensionValue(header.getType(), unpacker.readPayload(header.getLength()));
      default:
        throw new IOException("Unknown MessagePack format " + format);
    }
  }

  /** Carries the problem up the value tree, collecting the path on the way. */
  private static final class UnencodableValue extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String problem;
    private final StringBuilder path = new StringBuilder();

    UnencodableValue(String problem) {
      super(problem, null, false, false);
      this.problem = problem;
    }

    UnencodableValue under(String segment) {
      path.insert(0, segment);
      return this;
    }

    String path() {
      return "$" + path;
    }
  }
}
