package dev.synapse.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;

/**
 * The JSON forms of what a worker answers. JSON has no bytes, arrays or timestamps, so:
 *
 * <ul>
 *   <li>{@code bytes} → {@code {"$bytes": "<base64>"}}
 *   <li>a numpy array → {@code {"$ndarray": {"dtype": "float64", "shape": [2, 3], "base64": "<the
 *       elements' little-endian bytes, C order>"}}}
 *   <li>{@code datetime} → its ISO-8601 string in UTC, e.g. {@code "2024-05-01T12:00:00Z"}
 *   <li>another MessagePack extension → {@code {"$ext": {"type": 5, "base64": "..."}}}
 *   <li>NaN and infinities → the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}
 * </ul>
 *
 * Input is plain JSON: integers become {@code int}, fractions {@code float}, objects {@code dict}.
 */
final class JsonValues {
  private JsonValues() {}

  static ObjectMapper mapper() {
    SimpleModule forms = new SimpleModule("synapse-cli");
    forms.addSerializer(byte[].class, new BytesSerializer());
    forms.addSerializer(NDArray.class, new NDArraySerializer());
    forms.addSerializer(Instant.class, new InstantSerializer());
    forms.addSerializer(ExtensionValue.class, new ExtensionSerializer());
    return new ObjectMapper()
        .registerModule(forms)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static final class BytesSerializer extends JsonSerializer<byte[]> {
    @Override
    public void serialize(byte[] value, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      json.writeStartObject();
      json.writeStringField("$bytes", base64(value));
      json.writeEndObject();
    }
  }

  private static final class NDArraySerializer extends JsonSerializer<NDArray> {
    @Override
    public void serialize(NDArray value, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      ByteBuffer buffer = value.buffer();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      json.writeStartObject();
      json.writeObjectFieldStart("$ndarray");
      json.writeStringField("dtype", value.dtype().numpyName());
      json.writeFieldName("shape");
      json.writeArray(value.shape(), 0, value.shape().length);
      json.writeStringField("base64", base64(bytes));
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  private static final class InstantSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      json.writeString(value.toString());
    }
  }

  private static final class ExtensionSerializer extends JsonSerializer<ExtensionValue> {
    @Override
    public void serialize(ExtensionValue value, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      json.writeStartObject();
      json.writeObjectFieldStart("$ext");
      json.writeNumberField("type", value.type());
      json.writeStringField("base64", base64(value.data()));
      json.writeEndObject();
      json.writeEndObject();
    }
  }
}
