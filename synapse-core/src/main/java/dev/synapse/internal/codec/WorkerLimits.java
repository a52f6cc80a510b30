package dev.synapse.internal.codec;

import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * What a value must respect beyond having a MessagePack form, because the worker turns it into
 * Python objects (the section "Limits" of {@code docs/protocol.md}): map keys become dict keys, so
 * they must be hashable in Python; timestamps become {@code datetime}s, which hold the years 1 to
 * 9999 only; strings must be valid UTF-16 to have a UTF-8 form; extension codes are the protocol's.
 * Each check throws {@link Unencodable} saying what is wrong.
 */
final class WorkerLimits {
  /** 0001-01-01T00:00:00Z, the earliest {@code datetime}. */
  static final long MIN_EPOCH_SECOND = -62_135_596_800L;

  /** 9999-12-31T23:59:59Z, the last second a {@code datetime} holds (with any fraction). */
  static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private static final byte TIMESTAMP_EXT = -1;
  private static final String KEY_KINDS =
      "a Python dict key must be hashable: null, Boolean, an integer, Float, Double, String,"
          + " Character, byte[], ByteBuffer, Instant or an ExtensionValue of a code other than 1";
  private static final int LONGEST_KEY_SHOWN = 40;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long QUESTION_MARKS = 0x3F3F_3F3F_3F3F_3F3FL;
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  private WorkerLimits() {}

  /** A map key (other than a String, which is always fine) must become a hashable Python value. */
  static void checkKey(Object key) {
    if (key == null
        || key instanceof Long
        || key instanceof Integer
        || key instanceof Short
        || key instanceof Byte
        || key instanceof BigInteger
        || key instanceof Double
        || key instanceof Float
        || key instanceof Boolean
        || key instanceof Character
        || key instanceof byte[]
        || key instanceof ByteBuffer
        || key instanceof Instant
        || key instanceof CharSequence
        || (key instanceof ExtensionValue ext && ext.type() != NDArrayCodec.EXT_TYPE)) {
      return;
    }
    String kind = key instanceof NDArray ? "an NDArray" : "a " + key.getClass().getName();
    throw Unencodable.because("a map key that is " + kind, KEY_KINDS);
  }

  static void checkInstant(Instant instant) {
    if (outsideDatetime(instant.getEpochSecond())) {
      throw outsideDatetime("the Instant " + instant);
    }
  }

  private static boolean outsideDatetime(long epochSecond) {
    return epochSecond < MIN_EPOCH_SECOND || epochSecond > MAX_EPOCH_SECOND;
  }

  private static Unencodable outsideDatetime(String what) {
    return Unencodable.because(
        what
            + ", outside the range of Python's datetime"
            + " (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)");
  }

  /**
   * Codes -128 to -1 are MessagePack's, of which only the timestamp (-1) is defined; code 1 is the
   * ndarray. Those two must hold what their code says; codes 0 and 2 to 127 carry any bytes.
   */
  static void checkExtension(ExtensionValue ext) {
    byte type = ext.type();
    if (type == TIMESTAMP_EXT) {
      checkTimestamp(ext.data());
    } else if (type < 0) {
      throw Unencodable.because(
          "an ExtensionValue of code "
              + type
              + ", which MessagePack reserves (codes 0 to 127 are free; -1 is the timestamp)");
    } else if (type == SharedValues.EXT_TYPE) {
      throw Unencodable.because(
          "an ExtensionValue of code 3, which is reserved for shared-memory references");
    } else if (type == NDArrayCodec.EXT_TYPE) {
      try {
        NDArrayCodec.validate(ext.data());
      } catch (IOException e) {
        throw Unencodable.because(
            "an ExtensionValue of code 1, the ndarray's, that is not an ndarray: "
                + e.getMessage());
      }
    }
  }

  /** A timestamp extension value's bytes must be one of the MessagePack spec's three forms. */
  private static void checkTimestamp(byte[] data) {
    ByteBuffer bytes = ByteBuffer.wrap(data); // big-endian
    long seconds;
    long nanos;
    switch (data.length) {
      case 4 -> {
        seconds = bytes.getInt() & 0xFFFF_FFFFL;
        nanos = 0;
      }
      case 8 -> {
        long packed = bytes.getLong();
        seconds = packed & 0x3_FFFF_FFFFL;
        nanos = packed >>> 34;
      }
      case 12 -> {
        nanos = bytes.getInt() & 0xFFFF_FFFFL;
        seconds = bytes.getLong();
      }
      default ->
          throw Unencodable.because(
              "a timestamp ExtensionValue of " + data.length + " bytes (4, 8 or 12 are valid)");
    }
    if (nanos > 999_999_999) {
      throw Unencodable.because("a timestamp ExtensionValue of " + nanos + " nanoseconds");
    }
    if (outsideDatetime(seconds)) { // said in seconds: an Instant may not hold them
      throw outsideDatetime(
          "a timestamp ExtensionValue of " + seconds + " seconds since the epoch");
    }
  }

  /**
   * Refuses a string holding a surrogate that is not half of a pair, given its UTF-8 form as the
   * JDK encodes it, with {@code ?} for such a surrogate. A UTF-8 byte {@code ?} is never part of a
   * longer sequence, so only a string whose bytes hold one is searched: the common string costs a
   * scan of its bytes, eight at a time.
   */
  static void checkString(String s, byte[] utf8) {
    if (holdsQuestionMark(utf8)) {
      checkSurrogates(s);
    }
  }

  private static boolean holdsQuestionMark(byte[] bytes) {
    int i = 0;
    for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
      long x = (long) LONGS.get(bytes, i) ^ QUESTION_MARKS; // a zero byte where a '?' was
      if (((x - ONES) & ~x & HIGH_BITS) != 0) {
        return true;
      }
    }
    for (; i < bytes.length; i++) {
      if (bytes[i] == '?') {
        return true;
      }
    }
    return false;
  }

  private static void checkSurrogates(String s) {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < length
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      throw Unencodable.because(
          String.format(
              "a string with a lone UTF-16 surrogate (\\u%04X at index %d of %d chars),"
                  + " which has no UTF-8 form",
              (int) c, i, length));
    }
  }

  /** The path segment of the value of a map entry whose key passed {@link #checkKey}. */
  static String segmentOf(Object key) {
    if (key instanceof String s) {
      return "." + shorten(s);
    } else if (key instanceof byte[] bytes) {
      return "[<" + bytes.length + " bytes>]";
    } else if (key instanceof ByteBuffer buffer) {
      return "[<" + buffer.remaining() + " bytes>]";
    } else if (key instanceof CharSequence || key instanceof Character) {
      return "[\"" + shorten(key.toString()) + "\"]";
    }
    return "[" + key + "]";
  }

  private static String shorten(String text) {
    return text.length() <= LONGEST_KEY_SHOWN ? text : text.substring(0, LONGEST_KEY_SHOWN) + "...";
  }
}
