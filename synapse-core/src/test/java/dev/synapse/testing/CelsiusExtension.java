package dev.synapse.testing;

import dev.synapse.SynapseException;
import dev.synapse.ValueExtension;
import java.nio.ByteBuffer;

/**
 * A value extension for the tests, found by the {@link java.util.ServiceLoader} on the test class
 * path: {@link Celsius} travels as extension code 42, its degrees as a big-endian double.
 */
public final class CelsiusExtension implements ValueExtension {
  /** Its extension code. */
  public static final byte CODE = 42;

  /** A temperature; a record, which the extension takes before the record mapping could. */
  public record Celsius(double degrees) {}

  @Override
  public byte code() {
    return CODE;
  }

  @Override
  public boolean encodes(Object value) {
    return value instanceof Celsius;
  }

  @Override
  public ByteBuffer encode(Object value) {
    double degrees = ((Celsius) value).degrees();
    if (Double.isNaN(degrees)) {
      throw new IllegalArgumentException("NaN is no temperature");
    }
    return ByteBuffer.allocate(8).putDouble(0, degrees);
  }

  @Override
  public boolean decodesTo(Class<?> type) {
    return type == Celsius.class;
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    if (body.length != 8) {
      throw new SynapseException("A Celsius value has 8 bytes, not " + body.length);
    }
    return type.cast(new Celsius(ByteBuffer.wrap(body).getDouble()));
  }
}
