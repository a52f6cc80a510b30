package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.ExtensionValue;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

class ValueCodecTest {
  private static Object roundTrip(Object value) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      ValueCodec.pack(packer, value);
      byte[] bytes = packer.toByteArray();
      try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
        return ValueCodec.unpack(unpacker, bytes.length);
      }
    }
  }

  @Test
  void scalarsKeepTheirValues() throws IOException {
    assertThat(roundTrip(null)).isNull();
    assertThat(roundTrip(true)).isEqualTo(true);
    assertThat(roundTrip(42)).isEqualTo(42L);
    assertThat(roundTrip((short) -7)).isEqualTo(-7L);
    assertThat(roundTrip(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(roundTrip(1.5)).isEqualTo(1.5);
    assertThat(roundTrip(2.5f)).isEqualTo(2.5f);
    assertThat(roundTrip("héllo")).isEqualTo("héllo");
    assertThat(roundTrip(new StringBuilder("sb"))).isEqualTo("sb");
    assertThat(roundTrip('c')).isEqualTo("c");
  }

  @Test
  void unsignedSixtyFourBitIntegersBecomeBigIntegers() throws IOException {
    BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    assertThat(roundTrip(max)).isEqualTo(max);
    assertThat(roundTrip(BigInteger.valueOf(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void integersBeyondSixtyFourBitsAreRefusedWithTheirPath() {
    Map<String, Object> input = Map.of("rows", List.of(1, BigInteger.ONE.shiftLeft(64)));

    assertThatThrownBy(() -> roundTrip(input))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining("an integer beyond 64 bits (18446744073709551616) at $.rows[1]");
  }

  @Test
  void unsupportedObjectsAreRefusedWithTypeAndPath() {
    Object input = List.of(Map.of("k", new Object[] {1, new Thread()}));

    assertThatThrownBy(() -> roundTrip(input))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining("a value of type java.lang.Thread at $[0].k[1]");
  }

  @Test
  void binaryTimestampAndExtensionsRoundTrip() throws IOException {
    byte[] big = new byte[100_000];
    Arrays.fill(big, (byte) 7);
    assertThat((byte[]) roundTrip(big)).isEqualTo(big);
    assertThat((byte[]) roundTrip(ByteBuffer.wrap(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
    Instant instant = Instant.parse("1969-07-20T20:17:40.123456789Z");
    assertThat(roundTrip(instant)).isEqualTo(instant);
    ExtensionValue ext = new ExtensionValue((byte) 42, new byte[] {9, 8});
    assertThat(roundTrip(ext)).isEqualTo(ext);
  }

  @Test
  void containersKeepOrderAndNesting() throws IOException {
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("z", 1);
    map.put("a", List.of(1, "two", Map.of()));
    map.put(3L, new int[] {4, 5});
    Set<String> set = new TreeSet<>(List.of("b", "a"));
    map.put("set", set);

    Object decoded = roundTrip(map);

    assertThat(decoded).isInstanceOf(LinkedHashMap.class);
    assertThat(List.copyOf(((Map<?, ?>) decoded).keySet())).isEqualTo(List.of("z", "a", 3L, "set"));
    assertThat(((Map<?, ?>) decoded).get(3L)).isEqualTo(List.of(4L, 5L));
    assertThat(((Map<?, ?>) decoded).get("set")).isEqualTo(List.of("a", "b"));
    assertThat(((Map<?, ?>) decoded).get("a")).isEqualTo(List.of(1L, "two", Map.of()));
  }
}
