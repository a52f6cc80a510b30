package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/** A string is sent exactly as it is, or refused if and only if it holds a lone surrogate. */
class StringEncodingPropertyTest {
  @Property(tries = 500)
  void aStringArrivesUnchangedOrIsRefusedForALoneSurrogate(@ForAll("texts") String text)
      throws IOException {
    boolean valid =
        new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(text);
    if (valid) {
      assertThat(roundTrip(text)).isEqualTo(text);
    } else {
      assertThatThrownBy(() -> roundTrip(text))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("lone UTF-16 surrogate");
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('?', 'é', '€', '\u4e2d', '\uD83D', '\uDE00', '\uD800', '\uDFFF')
        .ofMaxLength(40);
  }

  private static Object roundTrip(String text) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      ValueCodec.pack(packer, text);
      byte[] bytes = packer.toByteArray();
      try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
        return ValueCodec.unpack(unpacker, bytes.length);
      }
    }
  }
}
