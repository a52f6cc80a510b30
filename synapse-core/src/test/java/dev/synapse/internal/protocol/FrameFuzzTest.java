package dev.synapse.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.synapse.DType;
import dev.synapse.NDArray;
import dev.synapse.ProtocolException;
import dev.synapse.internal.codec.ValueCodec;
import dev.synapse.testing.Allocations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The frame reader and the decoder over arbitrary, mutated and valid streams, each handed out
 * whole, one byte at a time and in random chunks. Whatever the bytes, reading ends (no try may take
 * long), fails with nothing but {@link ProtocolException}, and allocates in proportion to the bytes
 * it was given and the frame limit, never to lengths or counts the bytes merely claim.
 */
class FrameFuzzTest {
  private static final int MAX_FRAME = 16 * 1024;
  private static final Duration NO_HANG = Duration.ofSeconds(10);

  /**
   * What reading any input may allocate besides the frames' bodies: the decoder's own state, the
   * exceptions of refused frames. A size a header claims would show as far more (the claims below
   * are of 2 GiB).
   */
  private static final long BASE_ALLOCATION = 1024 * 1024;

  /** What decoding may allocate per byte of input: a one-byte value becomes a small object. */
  private static final long ALLOCATION_PER_BYTE = 512;

  private static final int[] INTERESTING = {
    0xC1, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xD4, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF,
    0xFF, 0x7F, 0x00, 0x01, 0x91, 0x81, 0x93, 0xA3
  };

  static {
    // Classes load and initialize once, on the first reading: not the allocation of any one input
    Random random = new Random(1);
    byte[] valid =
        framed(List.of(List.of("text", 1.5, new byte[1], Instant.EPOCH, NDArray.of(new int[3]))));
    for (byte[] stream :
        List.of(valid, Arrays.copyOf(valid, valid.length - 1), mutate(valid, random))) {
      for (StreamShape shape : StreamShape.values()) {
        read(stream, shape, random);
      }
    }
  }

  @Property(tries = 300)
  void arbitraryStreamsGiveFramesOrAProtocolError(
      @ForAll @Size(max = 600) byte[] stream, @ForAll StreamShape shape, @ForAll Random random) {
    readAll(stream, shape, random);
  }

  @Property(tries = 150)
  void mutatedStreamsGiveFramesOrAProtocolError(
      @ForAll("values") @Size(min = 1, max = 4) List<Object> values,
      @ForAll StreamShape shape,
      @ForAll Random random) {
    byte[] stream = framed(values);
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      stream = mutate(stream, random);
    }
    readAll(stream, shape, random);
  }

  @Property(tries = 60)
  void claimedSizesAllocateNothing(
      @ForAll("claims") int typeByte,
      @ForAll @Size(max = 8) byte[] rest,
      @ForAll StreamShape shape,
      @ForAll Random random) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {(byte) 0x93, 1, 1, (byte) typeByte});
    body.write(0x7F);
    body.write(0xFF);
    body.write(random.nextInt(256));
    body.write(random.nextInt(256));
    if (typeByte == 0xC9) {
      body.write(random.nextBoolean() ? 1 : 42); // ext type: ndarray or another
    }
    body.writeBytes(rest);
    byte[] frame = frame(body.toByteArray());

    long allocated = readAll(frame, shape, random);

    assertThat(allocated).isLessThan(BASE_ALLOCATION + frame.length * ALLOCATION_PER_BYTE);
  }

  @Property(tries = 60)
  void anyNestingEndsInAValueOrAProtocolError(
      @ForAll @Size(min = 1, max = 3000) List<@From("containerHeaders") byte[]> headers,
      @ForAll StreamShape shape,
      @ForAll Random random) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {(byte) 0x93, 1, 1});
    headers.forEach(body::writeBytes);
    body.write(0xC0);
    readAll(frame(body.toByteArray()), shape, random);
  }

  @Provide
  Arbitrary<byte[]> containerHeaders() {
    return Arbitraries.of(
        new byte[] {(byte) 0x91}, // [x]
        new byte[] {(byte) 0x81, (byte) 0xC0}, // {nil: x}
        new byte[] {(byte) 0xDC, 0, 1}, // array16 of one
        new byte[] {(byte) 0x92, 1}); // [1, x]
  }

  @Provide
  Arbitrary<Integer> claims() {
    return Arbitraries.of(0xC6, 0xC9, 0xDB, 0xDD, 0xDF); // bin32, ext32, str32, array32, map32
  }

  @Property(tries = 150)
  void validFramesReadTheSameWhateverTheShape(
      @ForAll("values") @Size(max = 5) List<Object> values,
      @ForAll StreamShape shape,
      @ForAll Random random) {
    byte[] stream = framed(values);
    assertTimeoutPreemptively(
        NO_HANG,
        () -> {
          FrameReader reader = new FrameReader(shape.over(stream, random), MAX_FRAME);
          MessageDecoder decoder = new MessageDecoder();
          for (int id = 0; id < values.size(); id++) {
            Messages.Answer answer = decoder.answer(reader.read());
            assertThat(answer.id()).isEqualTo(id);
            assertThat(encoded(answer.value())).isEqualTo(encoded(values.get(id)));
          }
          assertThat(reader.read()).isNull();
        });
  }

  /**
   * Reads frames and decodes each as an answer and as a bare value until the stream ends or a
   * {@link ProtocolException} makes it untrustworthy; returns the bytes allocated meanwhile.
   */
  private static long readAll(byte[] stream, StreamShape shape, Random random) {
    return assertTimeoutPreemptively(
        NO_HANG,
        () -> {
          long start = Allocations.ofCurrentThread();
          long bodies = read(stream, shape, random);
          long allocated = Allocations.ofCurrentThread() - start;
          assertThat(allocated)
              .as("bytes allocated reading %d bytes", stream.length)
              .isLessThan(BASE_ALLOCATION + bodies + stream.length * ALLOCATION_PER_BYTE);
          return allocated;
        });
  }

  /** Reads and decodes all of {@code stream}; returns the length of the bodies read. */
  private static long read(byte[] stream, StreamShape shape, Random random) {
    FrameReader reader = new FrameReader(shape.over(stream, random), MAX_FRAME);
    MessageDecoder decoder = new MessageDecoder();
    long bodies = 0;
    try {
      InboundFrame frame;
      while ((frame = reader.read()) != null) {
        bodies += frame.length();
        InboundFrame body = frame;
        decodeOrRefuse(() -> decoder.answer(body));
        decodeOrRefuse(() -> decoder.bare(body));
      }
    } catch (ProtocolException expected) {
      // the stream cannot be trusted after it; a claimed body is allocated up to the limit
      bodies += MAX_FRAME;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading from memory
    }
    return bodies;
  }

  private static void decodeOrRefuse(Runnable decode) {
    try {
      decode.run();
    } catch (ProtocolException expected) {
      // a frame that is not a valid message
    }
  }

  private static byte[] mutate(byte[] stream, Random random) {
    if (stream.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    int at = random.nextInt(stream.length);
    byte[] mutated = stream.clone();
    switch (random.nextInt(5)) {
      case 0 -> mutated[at] = (byte) random.nextInt(256);
      case 1 -> mutated[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
      case 2 -> mutated = Arrays.copyOf(stream, at); // truncated
      case 3 -> { // a slice repeated
        int length = random.nextInt(Math.min(16, stream.length - at) + 1);
        mutated = new byte[stream.length + length];
        System.arraycopy(stream, 0, mutated, 0, at + length);
        System.arraycopy(stream, at, mutated, at + length, stream.length - at);
      }
      default -> mutated[at] ^= (byte) (1 << random.nextInt(8));
    }
    return mutated;
  }

  /** RESULT frames, one per value, the value's index as the call id. */
  private static byte[] framed(List<Object> values) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (int id = 0; id < values.size(); id++) {
      Object value = values.get(id);
      long callId = id;
      OutboundFrame frame =
          OutboundFrame.encode(
              packer -> {
                packer.packArrayHeader(3).packInt(Messages.CALL_OR_RESULT).packLong(callId);
                ValueCodec.pack(packer, value);
              },
              MAX_FRAME);
      write(stream, frame);
    }
    return stream.toByteArray();
  }

  private static byte[] frame(byte[] body) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.writeBytes(
        new byte[] {
          (byte) body.length, (byte) (body.length >>> 8), (byte) (body.length >>> 16), 0
        });
    stream.writeBytes(body);
    return stream.toByteArray();
  }

  private static byte[] encoded(Object value) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    write(stream, Messages.bare(value, Integer.MAX_VALUE));
    return stream.toByteArray();
  }

  private static void write(ByteArrayOutputStream stream, OutboundFrame frame) {
    try {
      FrameWriter writer = new FrameWriter(stream);
      writer.write(frame);
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<List<Object>> values() {
    return Arbitraries.recursive(FrameFuzzTest::scalars, FrameFuzzTest::containers, 0, 4)
        .list()
        .ofMaxSize(5);
  }

  private static Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(
            Arbitraries.longs().map(Object.class::cast),
            Arbitraries.doubles().map(Object.class::cast),
            Arbitraries.of(true, false).map(Object.class::cast),
            Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("é€ \u00ff\u4e2d")
                .ofMaxLength(20)
                .map(Object.class::cast),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(32).map(Object.class::cast),
            Arbitraries.longs()
                .between(-62_135_596_800L, 253_402_300_799L)
                .map(second -> (Object) Instant.ofEpochSecond(second, second & 0xFFFF)),
            Arbitraries.doubles()
                .array(double[].class)
                .ofMaxSize(6)
                .map(data -> (Object) NDArray.of(data)),
            Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(8)
                .map(data -> (Object) NDArray.wrap(DType.UINT8, data)))
        .injectNull(0.05);
  }

  private static Arbitrary<Object> containers(Arbitrary<Object> inner) {
    return Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(list -> (Object) new ArrayList<>(list)),
        Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(6), inner)
            .ofMaxSize(4)
            .map(Object.class::cast));
  }
}
