package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.ExtensionValue;
import dev.synapse.NDArray;
import dev.synapse.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/** What the encoder refuses because the worker could not decode it, and where it says it is. */
@Timeout(30)
class EncodingLimitsTest {
  private static Object roundTrip(Object value) throws IOException {
    byte[] bytes = encode(value);
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
      return ValueCodec.unpack(unpacker, bytes.length);
    }
  }

  private static byte[] encode(Object value) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      ValueCodec.pack(packer, value);
      return packer.toByteArray();
    }
  }

  private static Object nestedLists(int depth) {
    Object value = "leaf";
    for (int i = 0; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  @Test
  void mapKeysMustBeHashableInPython() {
    Map<Object, Object> listKey = new HashMap<>();
    listKey.put(List.of(1, 2), "v");
    assertThatThrownBy(() -> encode(List.of(1, 2, 3, Map.of("a", List.of(listKey)))))
        .isInstanceOf(EncodingException.class)
        .hasMessageStartingWith(
            "Cannot encode a map key that is a java.util.ImmutableCollections$List12 at"
                + " $[3].a[0]{key 0}: a Python dict key must be hashable");

    assertThatThrownBy(() -> encode(Map.of(Map.of(), 1)))
        .hasMessageContaining("a map key that is a java.util.ImmutableCollections$MapN at $");
    assertThatThrownBy(() -> encode(Map.of(new int[] {1}, 1)))
        .hasMessageContaining("a map key that is a [I at ${key 0}");
    assertThatThrownBy(() -> encode(Map.of(NDArray.of(new int[] {1}), 1)))
        .hasMessageContaining("a map key that is an NDArray at ${key 0}");
    assertThatThrownBy(() -> encode(Map.of(new ExtensionValue((byte) 1, new byte[0]), 1)))
        .hasMessageContaining("a map key that is a dev.synapse.ExtensionValue at ${key 0}");
    assertThatThrownBy(() -> encode(Map.of(new Point(1, 2), 1)))
        .hasMessageContaining("a map key that is a " + Point.class.getName());
  }

  record Point(int x, int y) {}

  @Test
  void hashableKeysOfEveryKindPass() throws IOException {
    Map<Object, Object> keys = new LinkedHashMap<>();
    keys.put(null, 0);
    keys.put(true, 1);
    keys.put(7, 2);
    keys.put(2.5, 3);
    keys.put('c', 4);
    keys.put(new byte[] {1}, 5);
    keys.put(ByteBuffer.wrap(new byte[] {2}), 6);
    keys.put(Instant.EPOCH, 7);
    keys.put(new ExtensionValue((byte) 5, new byte[] {3}), 8);
    keys.put(new StringBuilder("sb"), 9);

    assertThat(((Map<?, ?>) roundTrip(keys))).hasSize(10);
  }

  @Test
  void instantsOutsidePythonsDatetimeAreRefused() throws IOException {
    Instant first = Instant.parse("0001-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
    assertThat(roundTrip(List.of(first, last))).isEqualTo(List.of(first, last));

    assertThatThrownBy(() -> encode(Map.of("when", Instant.MAX)))
        .isInstanceOf(EncodingException.class)
        .hasMessage(
            "Cannot encode the Instant +1000000000-12-31T23:59:59.999999999Z, outside the range of"
                + " Python's datetime (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)"
                + " at $.when");
    assertThatThrownBy(() -> encode(first.minusNanos(1))).hasMessageContaining("outside");
    assertThatThrownBy(() -> encode(last.plusNanos(1))).hasMessageContaining("outside");
  }

  @Test
  void nestingIsLimitedToFiveHundredTwelveLevels() throws IOException {
    assertThat(roundTrip(nestedLists(ValueCodec.MAX_DEPTH)))
        .isEqualTo(nestedLists(ValueCodec.MAX_DEPTH));

    assertThatThrownBy(() -> encode(nestedLists(ValueCodec.MAX_DEPTH + 1)))
        .isInstanceOf(EncodingException.class)
        .hasMessageStartingWith("Cannot encode a value nested deeper than 512 levels at $[0][0]")
        .hasMessageContaining("...(488 levels)...")
        .hasMessageEndingWith("[0]: that is the limit of both sides");
  }

  @Test
  void aHundredThousandLevelsAreRefusedWithoutOverflowingTheStack() {
    List<Object> outer = new ArrayList<>();
    List<Object> inner = outer;
    for (int i = 0; i < 100_000; i++) {
      List<Object> next = new ArrayList<>();
      inner.add(next);
      inner = next;
    }
    Map<String, Object> deepMap = new HashMap<>();
    Map<String, Object> innerMap = deepMap;
    for (int i = 0; i < 100_000; i++) {
      Map<String, Object> next = new HashMap<>();
      innerMap.put("k", next);
      innerMap = next;
    }
    Object[] deepArray = new Object[1];
    Object[] innerArray = deepArray;
    for (int i = 0; i < 100_000; i++) {
      Object[] next = new Object[1];
      innerArray[0] = next;
      innerArray = next;
    }

    for (Object deep : List.of(outer, deepMap, deepArray)) {
      assertThatThrownBy(() -> encode(deep))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("nested deeper than 512 levels");
    }
  }

  @Test
  void aThreadWithASmallStackGetsTypedErrorsNotAStackOverflow() throws Exception {
    Object deepest = nestedLists(ValueCodec.MAX_DEPTH);
    byte[] bytes = encode(deepest);
    Throwable[] thrown = new Throwable[2];
    Thread small =
        new Thread(
            null,
            () -> {
              try {
                encode(deepest);
              } catch (Throwable e) {
                thrown[0] = e;
              }
              try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
                ValueCodec.unpack(unpacker, bytes.length);
              } catch (Throwable e) {
                thrown[1] = e;
              }
            },
            "small-stack",
            64 * 1024);
    small.start();
    small.join();

    assertThat(thrown[0])
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining("more stack than the calling thread has");
    assertThat(thrown[1])
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("deeper than the reading thread's stack allows");
  }

  @Test
  void valuesThatContainThemselvesAreRefused() {
    List<Object> list = new ArrayList<>();
    list.add(1);
    list.add(list);
    assertThatThrownBy(() -> encode(Map.of("xs", list)))
        .isInstanceOf(EncodingException.class)
        .hasMessage(
            "Cannot encode a value that contains itself: $.xs[1] is the same object as $.xs,"
                + " which holds it");

    Map<String, Object> a = new HashMap<>();
    Map<String, Object> b = new HashMap<>();
    a.put("b", b);
    b.put("a", a);
    assertThatThrownBy(() -> encode(List.of(a)))
        .hasMessage(
            "Cannot encode a value that contains itself: $[0].b.a is the same object as $[0],"
                + " which holds it");

    Object[] array = new Object[1];
    array[0] = List.of((Object) array);
    assertThatThrownBy(() -> encode(array)).hasMessageContaining("$[0][0] is the same object as $");
  }

  @Test
  void extensionCodesOfTheProtocolMustHoldWhatTheirCodeSays() throws IOException {
    ExtensionValue free = new ExtensionValue((byte) 0, new byte[] {1});
    assertThat(roundTrip(free)).isEqualTo(free);
    assertThat(roundTrip(new ExtensionValue((byte) -1, new byte[] {0, 0, 0, 1})))
        .isEqualTo(Instant.ofEpochSecond(1));

    assertThatThrownBy(() -> encode(List.of(new ExtensionValue((byte) -5, new byte[0]))))
        .isInstanceOf(EncodingException.class)
        .hasMessage(
            "Cannot encode an ExtensionValue of code -5, which MessagePack reserves (codes 0 to"
                + " 127 are free; -1 is the timestamp) at $[0]");
    assertThatThrownBy(() -> encode(new ExtensionValue((byte) -1, new byte[3])))
        .hasMessageContaining("a timestamp ExtensionValue of 3 bytes");
    byte[] beyond = ByteBuffer.allocate(12).putInt(0).putLong(Long.MAX_VALUE).array();
    assertThatThrownBy(() -> encode(new ExtensionValue((byte) -1, beyond)))
        .hasMessageContaining("outside the range of Python's datetime");
    assertThatThrownBy(() -> encode(new ExtensionValue((byte) 1, new byte[] {(byte) 0x91, 1})))
        .hasMessage(
            "Cannot encode an ExtensionValue of code 1, the ndarray's, that is not an ndarray: An"
                + " ndarray extension value without its [dtype, shape] header at $");
  }

  @Test
  void loneSurrogatesAreRefusedNotReplaced() throws IOException {
    assertThat(roundTrip("pair \uD83D\uDE00 ok")).isEqualTo("pair \uD83D\uDE00 ok");

    assertThatThrownBy(() -> encode(List.of("ok", "bad \uD800")))
        .isInstanceOf(EncodingException.class)
        .hasMessage(
            "Cannot encode a string with a lone UTF-16 surrogate (\\uD800 at index 4 of 5 chars),"
                + " which has no UTF-8 form at $[1]");
    assertThatThrownBy(() -> encode("\uDC00x")).hasMessageContaining("\\uDC00 at index 0");
    assertThatThrownBy(() -> encode("a query? then a long tail \uDBFF, far past eight bytes"))
        .hasMessageContaining("\\uDBFF at index 26");
    assertThat(roundTrip("https://example.org/?q=1&r=2")).isEqualTo("https://example.org/?q=1&r=2");
    assertThatThrownBy(() -> encode("\uDE00\uD83D")).hasMessageContaining("\\uDE00 at index 0");
    assertThatThrownBy(() -> encode('\uD800')).hasMessageContaining("lone UTF-16 surrogate");
    assertThatThrownBy(() -> encode(Map.of("k\uD800", 1)))
        .hasMessageContaining("lone UTF-16 surrogate")
        .hasMessageContaining("at ${key 0}");
    assertThatThrownBy(() -> encode(new StringBuilder("\uD800")))
        .hasMessageContaining("lone UTF-16 surrogate");
  }

  @Test
  void stringsRoundTripWhateverTheirLength() throws IOException {
    for (String text : List.of("", "a", "é", "ascii ".repeat(5000), "ünïcødé ".repeat(5000))) {
      assertThat(roundTrip(text)).isEqualTo(text);
    }
  }

  @Test
  void theEncoderIsReusableAfterARefusal() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> encode(cyclic)).isInstanceOf(EncodingException.class);
    assertThatCode(() -> encode(List.of("fine"))).doesNotThrowAnyException();
  }
}
