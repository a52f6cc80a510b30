package dev.synapse.internal.codec;

import dev.synapse.SynapseException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Converts a decoded answer to the plain Java type a caller asked for. Only lossless conversions
 * are made: a {@code Long} becomes an {@code Integer} only if it fits, a whole number becomes a
 * {@code Double} only if the double holds it exactly.
 */
public final class Conversions {
  private Conversions() {}

  /**
   * Converts {@code value} to {@code type}.
   *
   * @throws SynapseException naming the value's type and the requested type when they do not fit
   */
  @SuppressWarnings("unchecked")
  public static <T> T convert(Object value, Class<T> type) {
    if (value == null) {
      if (type.isPrimitive()) {
        throw mismatch(null, type);
      }
      return null;
    }
    Class<?> boxed = box(type);
    if (boxed.isInstance(value)) {
      return (T) value;
    }
    Object converted = convertNumber(value, boxed);
    if (converted == null) {
      throw mismatch(value, type);
    }
    return (T) converted;
  }

  private static Object convertNumber(Object value, Class<?> type) {
    if (!(value instanceof Number number)) {
      return null;
    }
    if (type == Long.class && isWhole(number)) {
      BigInteger big = toBigInteger(number);
      return big.bitLength() < 64 ? big.longValue() : null;
    }
    if (type == Integer.class && isWhole(number)) {
      BigInteger big = toBigInteger(number);
      return big.bitLength() < 32 ? big.intValue() : null;
    }
    if (type == BigInteger.class && isWhole(number)) {
      return toBigInteger(number);
    }
    if (type == Double.class) {
      double d = number.doubleValue();
      return isWhole(number) && !toBigInteger(number).equals(new BigDecimal(d).toBigIntegerExact()) ? null : d;
    }
    if (type == Float.class && number instanceof Float) {
      return number;
    }
    return null;
  }

  private static boolean isWhole(Number number) {
    return number instanceof Long || number instanceof Integer || number instanceof BigInteger;
  }

  private static BigInteger toBigInteger(Number number) {
    return number instanceof BigInteger big ? big : BigInteger.valueOf(number.longValue());
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == long.class) {
      return Long.class;
    } else if (type == int.class) {
      return Integer.class;
    } else if (type == double.class) {
      return Double.class;
    } else if (type == float.class) {
      return Float.class;
    } else if (type == boolean.class) {
      return Boolean.class;
    }
    return type;
  }

  private static SynapseException mismatch(Object value, Class<?> type) {
    return new SynapseException(
        "Cannot convert the answer "
            + (value == null ? "null" : "of type " + describe(value))
            + " to "
            + type.getName());
  }

  private static String describe(Object value) {
    if (value instanceof Map) {
      return "Map";
    } else if (value instanceof List) {
      return "List";
    } else if (value instanceof Instant) {
      return "Instant";
    }
    return value.getClass().getSimpleName() + " (" + abbreviate(String.valueOf(value)) + ")";
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
