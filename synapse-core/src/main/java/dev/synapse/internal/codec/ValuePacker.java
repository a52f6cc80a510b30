package dev.synapse.internal.codec;

import dev.synapse.EncodingException;
import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import dev.synapse.SharedArray;
import dev.synapse.ValueExtension;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.msgpack.core.MessagePacker;

/**
 * Writes a Java value as MessagePack, refusing up front what the worker could not decode, since
 * such a call would otherwise fail only in Python (see {@link WorkerLimits}).
 *
 * <p>The walk recurses once per container level and stops at {@link ValueCodec#MAX_DEPTH}, so the
 * stack it needs is bounded (about 400 KiB, within a thread's default 1 MiB; on a thread with less,
 * the overflow is reported as an {@link EncodingException}); a value that contains itself is caught
 * the same way (see {@link Unencodable}). The checks on the way are type tests and a depth counter:
 * nothing is allocated for them while the value encodes.
 */
final class ValuePacker {
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final String SUPPORTED =
      "supported are null, Boolean, integers up to 64 bits, Float, Double, String, byte[],"
          + " ByteBuffer, Instant, NDArray, SharedArray, ExtensionValue, lists, arrays, maps, records and POJOs"
          + " of these, and the types of the value extensions present (dev.synapse.ValueExtension)";

  /** Binary payloads at least this long are referenced by the packer rather than copied into it. */
  private static final int REFERENCE_THRESHOLD = 8 * 1024;

  /** Where large values go while {@link #pack(MessagePacker, Object, SharedValues)} runs. */
  private static final ThreadLocal<SharedValues> SHARED = new ThreadLocal<>();

  private static final byte[] NO_HEAD = new byte[0];

  private ValuePacker() {}

  static void pack(MessagePacker packer, Object value, SharedValues shared) throws IOException {
    SHARED.set(shared);
    try {
      pack(packer, value);
    } finally {
      SHARED.set(null); // not remove(): that would make the next set() allocate a new entry
    }
  }

  /**
   * Writes a reference to {@code head} and {@code data} placed in shared memory, if this packing
   * has a region, the bytes reach its threshold and it has room; false if nothing was written.
   */
  static boolean packShared(MessagePacker packer, int code, byte[] head, ByteBuffer data)
      throws IOException {
    if (head.length + data.remaining() < SharedValues.MIN_THRESHOLD) {
      return false; // the common case, decided without looking up the thread's region
    }
    SharedValues shared = SHARED.get();
    if (shared == null || head.length + data.remaining() < shared.threshold()) {
      return false;
    }
    byte[] reference = shared.place(code, head, data);
    if (reference == null) {
      return false;
    }
    packer.packExtensionTypeHeader(SharedValues.EXT_TYPE, reference.length);
    packer.writePayload(reference);
    return true;
  }

  /**
   * Writes a reference that lends {@code array}, allocated in this packing's region, to the call;
   * false if it is not in that region.
   */
  static boolean packLent(MessagePacker packer, NDArray array, byte[] header) throws IOException {
    SharedValues shared = SHARED.get();
    byte[] reference = shared == null ? null : shared.lend(array, header);
    if (reference == null) {
      return false;
    }
    packer.packExtensionTypeHeader(SharedValues.EXT_TYPE, reference.length);
    packer.writePayload(reference);
    return true;
  }

  static void pack(MessagePacker packer, Object value) throws IOException {
    try {
      packValue(packer, value, 0);
    } catch (Unencodable e) {
      throw e.toEncodingException();
    } catch (StackOverflowError e) { // the packer is dropped with the call: nothing to repair
      throw new EncodingException(
          "Cannot encode the input: its nesting needs more stack than the calling thread has"
              + " (512 levels take about 400 KiB)");
    }
  }

  /** Writes a value that sits inside {@code level} containers. */
  private static void packValue(MessagePacker packer, Object value, int level) throws IOException {
    if (value == null) {
      packer.packNil();
    } else if (value instanceof String s) {
      packString(packer, s);
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
      packMap(packer, map, map, level);
    } else if (value instanceof Collection<?> collection) {
      packElements(packer, collection, level);
    } else if (value instanceof byte[] bytes) {
      packBinary(packer, bytes);
    } else if (value instanceof BigInteger big) {
      if (big.compareTo(INT64_MIN) < 0 || big.compareTo(UINT64_MAX) > 0) {
        throw Unencodable.because("an integer beyond 64 bits (" + big + ")");
      }
      packer.packBigInteger(big);
    } else if (value instanceof Instant instant) {
      WorkerLimits.checkInstant(instant);
      packer.packTimestamp(instant);
    } else if (value instanceof NDArray array) {
      if (!NDArrayCodec.packShared(packer, array)) {
        NDArrayCodec.pack(packer, array);
      }
    } else if (value instanceof SharedArray array) {
      packValue(packer, array.array(), level);
    } else if (value instanceof CharSequence chars) {
      packString(packer, chars.toString());
    } else if (value instanceof ByteBuffer buffer) {
      if (packShared(packer, SharedValues.BINARY, NO_HEAD, buffer.duplicate())) {
        return;
      }
      ByteBuffer view = buffer.duplicate();
      byte[] bytes = new byte[view.remaining()];
      view.get(bytes);
      packBinary(packer, bytes);
    } else if (value instanceof Character c) {
      packString(packer, c.toString());
    } else if (value.getClass().isArray()) {
      packArray(packer, value, level);
    } else if (value instanceof ExtensionValue ext) {
      WorkerLimits.checkExtension(ext);
      if (packShared(packer, ext.type(), NO_HEAD, ByteBuffer.wrap(ext.data()))) {
        return;
      }
      packer.packExtensionTypeHeader(ext.type(), ext.data().length);
      packer.writePayload(ext.data());
    } else {
      packOther(packer, value, level);
    }
  }

  /** A value of no built-in type: a {@link ValueExtension}'s, or a record or POJO. */
  private static void packOther(MessagePacker packer, Object value, int level) throws IOException {
    ValueExtension extension = ValueExtensions.get().encoderOf(value);
    if (extension != null) {
      packExtension(packer, extension, value);
    } else if (ObjectMapping.isApplicationObject(value)) {
      packApplicationObject(packer, value, level);
    } else {
      throw Unencodable.because("a value of type " + value.getClass().getName(), SUPPORTED);
    }
  }

  private static void packExtension(MessagePacker packer, ValueExtension extension, Object value)
      throws IOException {
    ByteBuffer body;
    try {
      body = extension.encode(value);
    } catch (IOException | IllegalArgumentException e) {
      throw Unencodable.because(
          "a value of type " + value.getClass().getName() + " (" + e.getMessage() + ")");
    }
    if (packShared(packer, extension.code(), NO_HEAD, body.duplicate())) {
      return;
    }
    int length = body.remaining();
    packer.packExtensionTypeHeader(extension.code(), length);
    if (body.hasArray()) {
      packer.addPayload(body.array(), body.arrayOffset() + body.position(), length);
    } else {
      byte[] bytes = new byte[length];
      body.duplicate().get(bytes);
      packer.addPayload(bytes);
    }
  }

  /** The level of the elements of a container inside {@code level} containers. */
  private static int inside(int level) {
    if (level >= ValueCodec.MAX_DEPTH) {
      throw Unencodable.tooDeep();
    }
    return level + 1;
  }

  private static void packElements(MessagePacker packer, Collection<?> elements, int level)
      throws IOException {
    int inner = inside(level);
    packer.packArrayHeader(elements.size());
    int index = 0;
    for (Object element : elements) {
      try {
        packValue(packer, element, inner);
      } catch (Unencodable e) {
        throw e.under("[" + index + "]", elements);
      }
      index++;
    }
  }

  private static void packArray(MessagePacker packer, Object array, int level) throws IOException {
    int inner = inside(level);
    int length = Array.getLength(array);
    packer.packArrayHeader(length);
    for (int i = 0; i < length; i++) {
      try {
        packValue(packer, Array.get(array, i), inner);
      } catch (Unencodable e) {
        throw e.under("[" + i + "]", array);
      }
    }
  }

  /** A record or POJO travels as the map of its properties (see {@link ObjectMapping}). */
  private static void packApplicationObject(MessagePacker packer, Object value, int level)
      throws IOException {
    Map<?, ?> properties;
    try {
      properties = ObjectMapping.toTree(value);
    } catch (IllegalArgumentException e) {
      throw Unencodable.because(
          "a value of type " + value.getClass().getName() + " (" + e.getMessage() + ")");
    }
    packMap(packer, properties, value, level);
  }

  /** Writes {@code map}, which is {@code source} or its properties. */
  private static void packMap(MessagePacker packer, Map<?, ?> map, Object source, int level)
      throws IOException {
    int inner = inside(level);
    packer.packMapHeader(map.size());
    int index = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      try {
        if (!(key instanceof String s)) {
          WorkerLimits.checkKey(key);
          packValue(packer, key, inner);
        } else {
          packString(packer, s);
        }
      } catch (Unencodable e) {
        throw e.under("{key " + index + "}", source);
      }
      try {
        packValue(packer, entry.getValue(), inner);
      } catch (Unencodable e) {
        throw e.under(WorkerLimits.segmentOf(key), source);
      }
      index++;
    }
  }

  /** Writes a string as UTF-8, refusing a lone surrogate (see {@link WorkerLimits#checkString}). */
  private static void packString(MessagePacker packer, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    WorkerLimits.checkString(s, utf8);
    packer.packRawStringHeader(utf8.length);
    packer.addPayload(utf8);
  }

  private static void packBinary(MessagePacker packer, byte[] bytes) throws IOException {
    if (packShared(packer, SharedValues.BINARY, NO_HEAD, ByteBuffer.wrap(bytes))) {
      return;
    }
    packer.packBinaryHeader(bytes.length);
    if (bytes.length >= REFERENCE_THRESHOLD) {
      packer.addPayload(bytes);
    } else {
      packer.writePayload(bytes);
    }
  }
}
