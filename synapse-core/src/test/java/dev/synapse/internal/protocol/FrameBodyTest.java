package dev.synapse.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.FrameTooLargeException;
import dev.synapse.testing.Allocations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * Frames encoded with a thread's reused scratch array hold exactly what a fresh packer writes, and
 * never share bytes with the frames encoded after them.
 */
class FrameBodyTest {
  /** One step of a frame body: a string, or bytes that the packer adds (by reference) or writes. */
  record Piece(String text, byte[] bytes, boolean added) {
    void packInto(MessagePacker packer) throws IOException {
      if (text != null) {
        packer.packString(text);
      } else if (added) {
        packer.packBinaryHeader(bytes.length).addPayload(bytes);
      } else {
        packer.packBinaryHeader(bytes.length).writePayload(bytes);
      }
    }
  }

  @Property(tries = 300)
  void aFrameHoldsWhatAFreshPackerWrites_andLaterFramesLeaveItAlone(
      @ForAll("bodies") List<Piece> first, @ForAll("bodies") List<Piece> second)
      throws IOException {
    OutboundFrame firstFrame = encode(first);
    byte[] firstBytes = bytesOf(firstFrame);
    OutboundFrame secondFrame = encode(second);

    assertThat(firstBytes).isEqualTo(reference(first));
    assertThat(firstFrame.length()).isEqualTo(firstBytes.length);
    assertThat(bytesOf(secondFrame)).isEqualTo(reference(second));
    assertThat(bytesOf(firstFrame)).isEqualTo(firstBytes);
  }

  @Provide
  Arbitrary<List<Piece>> bodies() {
    Arbitrary<Integer> sizes =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 600),
            Arbitraries.integers().between(FrameBody.OWN_PART - 2, FrameBody.OWN_PART + 2),
            Arbitraries.integers().between(20_000, 100_000));
    Arbitrary<Piece> bytes =
        Combinators.combine(sizes, Arbitraries.integers(), Arbitraries.of(true, false))
            .as((size, seed, added) -> new Piece(null, filled(size, seed), added));
    Arbitrary<Piece> texts =
        Arbitraries.strings().ofMaxLength(700).map(text -> new Piece(text, null, false));
    return Arbitraries.oneOf(bytes, texts).list().ofMaxSize(12);
  }

  @Test
  void aLargeAddedPayloadIsReferenced_aLargeWrittenOneIsCopied() throws IOException {
    byte[] added = filled(FrameBody.OWN_PART, 1);
    byte[] written = filled(FrameBody.OWN_PART, 2);

    OutboundFrame frame =
        encode(List.of(new Piece(null, added, true), new Piece(null, written, false)));

    assertThat(frame.parts()).anySatisfy(part -> assertThat(part.array()).isSameAs(added));
    assertThat(frame.parts()).noneSatisfy(part -> assertThat(part.array()).isSameAs(written));
    assertThat(bytesOf(frame))
        .isEqualTo(
            reference(List.of(new Piece(null, added, true), new Piece(null, written, false))));
  }

  @Test
  void aBodyOfManySmallPieces_growsTheScratchArray_andTheNextFrameStartsClean() throws IOException {
    List<Piece> large = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      large.add(new Piece(i + "-" + "x".repeat(300), null, false)); // 30 KB, none its own part
    }
    List<Piece> small = List.of(new Piece("small", null, false));

    assertThat(bytesOf(encode(large))).isEqualTo(reference(large));
    assertThat(bytesOf(encode(small))).isEqualTo(reference(small));
    assertThat(bytesOf(encode(large))).isEqualTo(reference(large));
  }

  @Test
  void aFailedEncoding_leavesNothingBehindForTheNextFrame() throws IOException {
    assertThatThrownBy(
            () ->
                OutboundFrame.encode(
                    packer -> {
                      packer.packString("left over");
                      throw new IllegalStateException("the value cannot be encoded");
                    },
                    Integer.MAX_VALUE))
        .hasMessage("the value cannot be encoded");
    assertThatThrownBy(() -> encode(List.of(new Piece("x".repeat(100), null, false)), 10))
        .isInstanceOf(FrameTooLargeException.class);

    List<Piece> body = List.of(new Piece("after", null, false));
    assertThat(bytesOf(encode(body))).isEqualTo(reference(body));
  }

  @Test
  void aFrameEncodedWhileAnotherIsBeingEncoded_onTheSameThread_getsItsOwnBuffer()
      throws IOException {
    OutboundFrame[] inner = new OutboundFrame[1];
    OutboundFrame outer =
        OutboundFrame.encode(
            packer -> {
              packer.packString("outer, before");
              inner[0] = encode(List.of(new Piece("inner", null, false)));
              packer.packString("outer, after");
            },
            Integer.MAX_VALUE);

    assertThat(bytesOf(inner[0])).isEqualTo(reference(List.of(new Piece("inner", null, false))));
    assertThat(bytesOf(outer))
        .isEqualTo(
            reference(
                List.of(
                    new Piece("outer, before", null, false),
                    new Piece("outer, after", null, false))));
  }

  @Test
  void encodingASmallFrame_allocatesLittleMoreThanItsBytes() {
    List<Piece> body = List.of(new Piece("function", null, false), new Piece("foo", null, false));
    for (int i = 0; i < 10_000; i++) { // the JIT's warm-up, and the thread's encoder
      encode(body);
    }
    long start = Allocations.ofCurrentThread();
    for (int i = 0; i < 1_000; i++) {
      encode(body);
    }
    long perFrame = (Allocations.ofCurrentThread() - start) / 1_000;

    assertThat(perFrame)
        .isLessThan(384); // a packer with its own buffer allocated 512 bytes for it alone
  }

  private static OutboundFrame encode(List<Piece> body) {
    return encode(body, Integer.MAX_VALUE);
  }

  private static OutboundFrame encode(List<Piece> body, int maxFrameBytes) {
    return OutboundFrame.encode(
        packer -> {
          for (Piece piece : body) {
            piece.packInto(packer);
          }
        },
        maxFrameBytes);
  }

  private static byte[] reference(List<Piece> body) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      for (Piece piece : body) {
        piece.packInto(packer);
      }
      return packer.toByteArray();
    }
  }

  private static byte[] bytesOf(OutboundFrame frame) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (MessageBuffer part : frame.parts()) {
      out.write(part.array(), part.arrayOffset(), part.size());
    }
    return out.toByteArray();
  }

  private static byte[] filled(int size, int seed) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) seed);
    for (int i = 0; i < size; i += 97) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    return bytes;
  }
}
