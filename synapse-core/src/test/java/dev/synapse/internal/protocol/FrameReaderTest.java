package dev.synapse.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.FrameTooLargeException;
import dev.synapse.ProtocolException;
import dev.synapse.internal.codec.ValueCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Framing over the stream shapes where framing bugs hide: whole, chunked, one byte at a time. */
class FrameReaderTest {
  static Stream<Function<byte[], InputStream>> shapes() {
    return Stream.of(
        ByteArrayInputStream::new, bytes -> new Chunked(bytes, 7), bytes -> new Chunked(bytes, 1));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void readsWhatTheWriterWrote(Function<byte[], InputStream> shape) throws IOException {
    Random random = new Random(42);
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(wire);
    for (int size : new int[] {0, 1, 255, 256, 65_535, 65_536, 200_000}) {
      byte[] body = new byte[size];
      random.nextBytes(body);
      bodies.add(body);
      writer.write(
          OutboundFrame.encode(
              packer -> packer.packBinaryHeader(body.length).writePayload(body),
              Integer.MAX_VALUE));
    }
    writer.flush();

    FrameReader reader = new FrameReader(shape.apply(wire.toByteArray()), Integer.MAX_VALUE);
    for (byte[] body : bodies) {
      Object decoded = new MessageDecoder().bare(reader.read());
      assertThat((byte[]) decoded).isEqualTo(body);
    }
    assertThat(reader.read()).isNull();
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void oversizedLengthIsRefusedBeforeTheBodyIsRead(Function<byte[], InputStream> shape) {
    byte[] header = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F};
    FrameReader reader = new FrameReader(shape.apply(header), 1024);

    assertThatThrownBy(reader::read)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("2147483647 bytes exceeds the maximum frame size of 1024")
        .hasCauseInstanceOf(FrameTooLargeException.class);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void truncatedBodyIsAProtocolError(Function<byte[], InputStream> shape) {
    byte[] wire = {10, 0, 0, 0, 1, 2, 3};
    FrameReader reader = new FrameReader(shape.apply(wire), 1024);

    assertThatThrownBy(reader::read)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("3 of 10 bytes");
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void truncatedHeaderIsAProtocolError(Function<byte[], InputStream> shape) {
    FrameReader reader = new FrameReader(shape.apply(new byte[] {1, 0}), 1024);

    assertThatThrownBy(reader::read)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("2 of 4 bytes");
  }

  @Test
  void asksForALargeBodyInSlicesOfAtMost64KiB() throws IOException {
    byte[] body = new byte[1 << 20];
    new Random(7).nextBytes(body);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(wire);
    writer.write(
        OutboundFrame.encode(
            packer -> packer.packBinaryHeader(body.length).writePayload(body), Integer.MAX_VALUE));
    writer.flush();
    LargestRequest stream = new LargestRequest(wire.toByteArray());

    InboundFrame frame = new FrameReader(stream, Integer.MAX_VALUE).read();

    assertThat((byte[]) new MessageDecoder().bare(frame)).isEqualTo(body);
    assertThat(stream.largest).isEqualTo(64 * 1024);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void aLargeAnswerEndingInBytesIsReadStraightIntoItsOwnArray(Function<byte[], InputStream> shape)
      throws IOException {
    byte[] payload = new byte[FrameReader.SPLIT_AT + 5];
    new Random(3).nextBytes(payload);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(wire);
    long[] ids = {7, 200, 300, 70_000, 1L << 33};
    for (long id : ids) {
      writer.write(answer(Messages.CALL_OR_RESULT, id, payload));
    }
    writer.write(answer(Messages.CREDIT_OR_ITEM, 9, payload));
    writer.write(answer(Messages.CALL_OR_RESULT, 10, List.of(payload)));
    writer.write(answer(Messages.CANCEL_OR_ERROR, 11, payload));
    writer.write(bare(payload));
    writer.flush();
    FrameReader reader = new FrameReader(shape.apply(wire.toByteArray()), Integer.MAX_VALUE);
    reader.splitAnswers(true);
    MessageDecoder decoder = new MessageDecoder();

    for (long id : ids) {
      InboundFrame frame = reader.read();
      assertThat(frame.trailingBinary()).isEqualTo(payload);
      Messages.Answer answer = decoder.answer(frame);
      assertThat(answer.id()).isEqualTo(id);
      assertThat(answer.value()).isSameAs(frame.trailingBinary());
    }
    InboundFrame item = reader.read();
    assertThat(item.trailingBinary()).isNotNull();
    assertThat(decoder.answer(item).type()).isEqualTo(Messages.CREDIT_OR_ITEM);

    InboundFrame list = reader.read();
    assertThat(list.trailingBinary()).isNull();
    assertThat((List<?>) decoder.answer(list).value()).singleElement().isEqualTo(payload);

    InboundFrame error = reader.read();
    assertThat(error.trailingBinary()).isNull();
    assertThat(decoder.answer(error).type()).isEqualTo(Messages.CANCEL_OR_ERROR);

    InboundFrame bareInEnvelopeMode = reader.read();
    assertThat(bareInEnvelopeMode.trailingBinary()).isNull();
    assertThat(reader.read()).isNull();
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void aSeedStyleWorkerHasOnlyItsBareBytesSplit(Function<byte[], InputStream> shape)
      throws IOException {
    byte[] payload = new byte[FrameReader.SPLIT_AT];
    new Random(4).nextBytes(payload);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(wire);
    writer.write(bare(payload));
    writer.write(answer(Messages.CALL_OR_RESULT, 0, payload)); // a list that looks like a RESULT
    writer.write(
        bare(Arrays.copyOf(payload, FrameReader.SPLIT_AT - 6))); // one byte short of SPLIT_AT
    writer.flush();
    FrameReader reader = new FrameReader(shape.apply(wire.toByteArray()), Integer.MAX_VALUE);
    reader.splitAnswers(false);
    MessageDecoder decoder = new MessageDecoder();

    InboundFrame bare = reader.read();
    assertThat(bare.head()).hasSize(5);
    assertThat((byte[]) decoder.bare(bare)).isEqualTo(payload);

    InboundFrame lookalike = reader.read();
    assertThat(lookalike.trailingBinary()).isNull();
    List<?> values = (List<?>) decoder.bare(lookalike);
    assertThat(values.subList(0, 2)).isEqualTo(List.of(1L, 0L));
    assertThat((byte[]) values.get(2)).isEqualTo(payload);

    InboundFrame small = reader.read();
    assertThat(small.length()).isEqualTo(FrameReader.SPLIT_AT - 1);
    assertThat(small.trailingBinary()).isNull();
    assertThat(reader.read()).isNull();
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void aLargeFrameCutShortInItsBinaryValueIsAProtocolError(Function<byte[], InputStream> shape)
      throws IOException {
    byte[] payload = new byte[FrameReader.SPLIT_AT];
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(wire);
    writer.write(answer(Messages.CALL_OR_RESULT, 1, payload));
    writer.flush();
    byte[] cut = Arrays.copyOf(wire.toByteArray(), wire.size() - 100);
    FrameReader reader = new FrameReader(shape.apply(cut), Integer.MAX_VALUE);
    reader.splitAnswers(true);

    assertThatThrownBy(reader::read)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(
            (payload.length + 8 - 100) + " of " + (payload.length + 8) + " bytes");
  }

  private static OutboundFrame bare(byte[] bytes) {
    return OutboundFrame.encode(
        packer -> packer.packBinaryHeader(bytes.length).writePayload(bytes), Integer.MAX_VALUE);
  }

  private static OutboundFrame answer(int type, long id, Object value) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(3).packInt(type).packLong(id);
          ValueCodec.pack(packer, value);
        },
        Integer.MAX_VALUE);
  }

  /** Remembers the largest number of bytes asked for in one read. */
  private static final class LargestRequest extends FilterInputStream {
    private int largest;

    LargestRequest(byte[] bytes) {
      super(new ByteArrayInputStream(bytes));
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      largest = Math.max(largest, length);
      return super.read(buffer, offset, length);
    }
  }

  /** Hands out at most {@code chunk} bytes per read. */
  private static final class Chunked extends FilterInputStream {
    private final int chunk;

    Chunked(byte[] bytes, int chunk) {
      super(new ByteArrayInputStream(bytes));
      this.chunk = chunk;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      return super.read(buffer, offset, Math.min(length, chunk));
    }
  }
}
