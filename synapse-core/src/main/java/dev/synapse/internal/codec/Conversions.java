package dev.synapse.internal.codec;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.synapse.ExtensionValue;
import dev.synapse.SynapseException;
import dev.synapse.ValueExtension;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * Converts a decoded answer to the type a caller asked for: a plain type (Long, Integer, Double,
 * String, byte[], Map, List...), a record or POJO, or a generic type. An answer that already is of
 * the type is returned as it is; an {@link ExtensionValue} whose code has a {@link ValueExtension}
 * that decodes to the type is decoded by it; anything else goes through {@link ObjectMapping}'s
 * strict rules.
 */
public final class Conversions {
  private Conversions() {}

  /**
   * Converts {@code value} to {@code type}.
   *
   * @throws SynapseException naming the value's type, the requested type and, inside an object, the
   *     field that does not fit
   */
  @SuppressWarnings("unchecked")
  public static <T> T convert(Object value, Class<T> type) {
    if (value != null && type.isInstance(value)) {
      return (T) value;
    }
    return (T) convert(value, (Type) type);
  }

  /** Converts {@code value} to the generic {@code type}, e.g. {@code List<Point>}. */
  public static Object convert(Object value, Type type) {
    if (value instanceof ExtensionValue ext && type instanceof Class<?> wanted) {
      ValueExtension extension = ValueExtensions.get().decoderOf(ext.type(), wanted);
      if (extension != null) {
        return extension.decode(ext.data(), wanted);
      }
    }
    JavaType target = ObjectMapping.type(type);
    if (value == null) {
      if (target.isPrimitive()) {
        throw mismatch(null, type, "null has no primitive value");
      }
      return null;
    }
    try {
      return ObjectMapping.fromTree(value, target);
    } catch (IllegalArgumentException e) {
      throw mismatch(value, type, detail(e));
    }
  }

  private static SynapseException mismatch(Object value, Type type, String detail) {
    return new SynapseException(
        "Cannot convert the answer "
            + (value == null ? "null" : "of type " + describe(value))
            + " to "
            + type.getTypeName()
            + ": "
            + detail);
  }

  private static String describe(Object value) {
    if (value instanceof Map) {
      return "Map";
    } else if (value instanceof List) {
      return "List";
    }
    String text = String.valueOf(value);
    return value.getClass().getSimpleName()
        + " ("
        + (text.length() <= 60 ? text : text.substring(0, 57) + "...")
        + ")";
  }

  /** Jackson's own words and, inside an object, the field: {@code Point["y"]}. */
  private static String detail(IllegalArgumentException e) {
    if (e.getCause() instanceof JsonMappingException mapping) {
      String where = mapping.getPath().isEmpty() ? "" : " (at " + mapping.getPathReference() + ")";
      return mapping.getOriginalMessage() + where;
    }
    return e.getMessage();
  }
}
