package dev.synapse.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * Maps records and POJOs to the value tree that {@link ValueCodec} writes (maps, lists, scalars),
 * and decoded answers onto the Java type a caller asks for, with Jackson. The wire format has one
 * codec, {@link ValueCodec}; Jackson only converts between that tree and Java objects.
 *
 * <p>Values that MessagePack carries natively but JSON does not ({@code Instant}, {@code byte[]},
 * extension values, {@code NDArray}) pass through Jackson as embedded objects, so they arrive
 * unchanged. Conversions are strict: no strings as numbers, no fractions as integers, no number out
 * of its type's range, no missing constructor property of a record; properties the Java type does
 * not know are ignored.
 */
public final class ObjectMapping {
  static final ObjectMapper MAPPER = mapper();

  private ObjectMapping() {}

  /**
   * Whether {@code value} is an object of the application's (a record, or a class outside the JDK).
   */
  static boolean isApplicationObject(Object value) {
    Class<?> type = value.getClass();
    if (type.isRecord()) {
      return true;
    }
    String name = type.getName();
    return !(name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("jdk.")
        || name.startsWith("sun."));
  }

  /** The object's properties as a map, in declaration order, ready for {@link ValueCodec}. */
  static Map<?, ?> toTree(Object value) {
    return MAPPER.convertValue(value, Map.class);
  }

  /**
   * Converts a decoded answer to {@code type}; throws {@link IllegalArgumentException} if it does
   * not fit.
   */
  static Object fromTree(Object value, JavaType type) {
    return MAPPER.convertValue(value, type);
  }

  static JavaType type(java.lang.reflect.Type type) {
    return MAPPER.getTypeFactory().constructType(type);
  }

  @SuppressWarnings("deprecation") // ALLOW_COERCION_OF_SCALARS: one switch for all scalar coercions
  private static ObjectMapper mapper() {
    SimpleModule embedded = new SimpleModule("synapse-embedded");
    for (Class<?> type : new Class<?>[] {Instant.class, ExtensionValue.class, NDArray.class}) {
      register(embedded, type);
    }
    return JsonMapper.builder()
        .addModule(embedded)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  private static <T> void register(SimpleModule module, Class<T> type) {
    module.addSerializer(type, new EmbeddedSerializer<>(type));
    module.addDeserializer(type, new EmbeddedDeserializer<>(type));
  }

  /**
   * Writes a value Jackson has no tree form for as itself, so it reaches {@link ValueCodec} intact.
   */
  private static final class EmbeddedSerializer<T> extends StdSerializer<T> {
    private static final long serialVersionUID = 1L;

    EmbeddedSerializer(Class<T> type) {
      super(type);
    }

    @Override
    public void serialize(T value, JsonGenerator generator, SerializerProvider provider)
        throws IOException {
      generator.writeEmbeddedObject(value);
    }
  }

  /** Reads back a value that travelled through Jackson as itself. */
  private static final class EmbeddedDeserializer<T> extends StdDeserializer<T> {
    private static final long serialVersionUID = 1L;

    EmbeddedDeserializer(Class<T> type) {
      super(type);
    }

    @Override
    public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      if (parser.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT
          && handledType().isInstance(parser.getEmbeddedObject())) {
        return handledType().cast(parser.getEmbeddedObject());
      }
      return handledType().cast(context.handleUnexpectedToken(handledType(), parser));
    }

    @SuppressWarnings("unchecked")
    @Override
    public Class<T> handledType() {
      return (Class<T>) super.handledType();
    }
  }
}
