package dev.synapse.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.NDArray;
import dev.synapse.ProtocolException;
import dev.synapse.PythonException;
import dev.synapse.internal.codec.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One decoder, reused frame after frame, as a worker's reader thread uses it. */
class MessageDecoderTest {
  private final MessageDecoder decoder = new MessageDecoder();

  @Test
  void valuesOfEarlierFramesSurviveTheNextFrames() throws IOException {
    NDArray sent = NDArray.of(new double[] {1.5, -2.25, 3e300}, 3); // small: copied out
    String text = "ünïcode ".repeat(5000);

    Messages.Answer first = decoder.answer(body(1, 7, List.of(sent, text)));
    Messages.Answer second = decoder.answer(body(1, 8, Map.of("other", "value")));

    List<?> firstValue = (List<?>) first.value();
    assertThat(((NDArray) firstValue.get(0)).toDoubleArray()).containsExactly(1.5, -2.25, 3e300);
    assertThat(firstValue.get(1)).isEqualTo(text);
    assertThat(first.id()).isEqualTo(7);
    assertThat(second.value()).isEqualTo(Map.of("other", "value"));
  }

  @Test
  void aLargeArrayViewOfItsFrameSurvivesTheNextFrames() throws IOException {
    double[] values = new double[100_000];
    Arrays.setAll(values, i -> i * 0.5);

    NDArray received = (NDArray) decoder.answer(body(1, 1, NDArray.of(values))).value();
    decoder.answer(body(1, 2, NDArray.of(new double[100_000])));
    decoder.answer(body(1, 3, "next"));

    assertThat(received.toDoubleArray()).containsExactly(values);
  }

  @Test
  void keepsWorkingAfterAFrameThatDoesNotDecode() throws IOException {
    byte[] truncated = bodyBytes(1, 1, "a string cut short");
    byte[] cut = Arrays.copyOf(truncated, truncated.length - 3);

    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(cut)))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(new byte[] {(byte) 0xC1})))
        .isInstanceOf(ProtocolException.class);

    assertThat(decoder.answer(body(1, 2, "fine")).value()).isEqualTo("fine");
  }

  @Test
  void decodesAnErrorIntoAPythonException() throws IOException {
    Map<String, String> error =
        Map.of("type", "ValueError", "message", "bad", "traceback", "tb", "kind", "encode");

    Messages.Answer answer = decoder.answer(body(2, 3, error));

    assertThat(answer.type()).isEqualTo(Messages.CANCEL_OR_ERROR);
    PythonException exception = (PythonException) answer.error();
    assertThat(exception.kind()).isEqualTo(PythonException.Kind.ENCODE);
    assertThat(exception.pythonType()).isEqualTo("ValueError");
  }

  @Test
  void refusesTwoValuesInOneBareFrame() throws IOException {
    ByteArrayOutputStream twoValues = new ByteArrayOutputStream();
    twoValues.write(bare(1L).head());
    twoValues.write(bare(2L).head());

    assertThatThrownBy(() -> decoder.bare(InboundFrame.whole(twoValues.toByteArray())))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("more than one");
    assertThat(decoder.bare(bare("after"))).isEqualTo("after");
  }

  @Test
  void decodeErrorsOfTheWorkerBecomeEncodingExceptions() throws IOException {
    Map<String, String> error =
        Map.of(
            "type",
            "ValueError",
            "message",
            "unhashable type: 'list'",
            "traceback",
            "",
            "kind",
            "decode");

    Messages.Answer answer = decoder.answer(body(2, 4, error));

    assertThat(answer.error())
        .isInstanceOf(EncodingException.class)
        .hasMessage(
            "The worker could not decode the call's input: ValueError: unhashable type: 'list'");
  }

  @Test
  void answersNestFiveHundredTwelveLevelsAtMost() throws IOException {
    assertThat(decoder.answer(InboundFrame.whole(nested(ValueCodec.MAX_DEPTH))).value())
        .isInstanceOf(List.class);

    for (int depth : new int[] {ValueCodec.MAX_DEPTH + 1, 100_000}) {
      assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(nested(depth))))
          .isInstanceOf(ProtocolException.class)
          .hasMessage("The worker sent a value nested deeper than 512 levels");
    }
    byte[] deepMaps = new byte[3 + 2 * 100_000 + 1];
    deepMaps[0] = (byte) 0x93;
    deepMaps[1] = 1;
    deepMaps[2] = 1;
    for (int i = 0; i < 100_000; i++) {
      deepMaps[3 + 2 * i] = (byte) 0x81; // {nil: {nil: ...}}
      deepMaps[4 + 2 * i] = (byte) 0xC0;
    }
    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(deepMaps)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("nested deeper than 512 levels");
    assertThat(decoder.answer(body(1, 2, "fine")).value()).isEqualTo("fine");
  }

  /** A RESULT whose value is {@code depth} arrays, one inside the other, around a nil. */
  private static byte[] nested(int depth) {
    byte[] frame = new byte[3 + depth + 1];
    frame[0] = (byte) 0x93;
    frame[1] = 1;
    frame[2] = 1;
    Arrays.fill(frame, 3, 3 + depth, (byte) 0x91);
    frame[3 + depth] = (byte) 0xC0;
    return frame;
  }

  @Test
  void claimedLengthsBeyondTheFrameAreRefusedBeforeAllocating() {
    byte[] hugeBinary = {(byte) 0x93, 1, 1, (byte) 0xC6, 0x7F, (byte) 0xFF, (byte) 0xFF, 0, 1};
    byte[] hugeExtension = {
      (byte) 0x93, 1, 1, (byte) 0xC9, 0x7F, (byte) 0xFF, (byte) 0xFF, 0, 1, 2
    };
    byte[] hugeNdarray = {(byte) 0x93, 1, 1, (byte) 0xC9, 0x7F, (byte) 0xFF, (byte) 0xFF, 0, 1};

    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(hugeBinary)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "The worker sent a binary value of 2147483392 bytes in a frame with 1 bytes left");
    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(hugeExtension)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("extension value of 2147483392 bytes");
    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(hugeNdarray)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("extension value of 2147483392 bytes");
  }

  @Test
  void claimedElementCountsBeyondTheFrameFailWithoutPresizing() {
    byte[] hugeArray = {(byte) 0x93, 1, 1, (byte) 0xDD, 0x7F, (byte) 0xFF, (byte) 0xFF, 0, 1};
    byte[] hugeMap = {(byte) 0x93, 1, 1, (byte) 0xDF, 0x7F, (byte) 0xFF, (byte) 0xFF, 0, 1};

    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(hugeArray)))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> decoder.answer(InboundFrame.whole(hugeMap)))
        .isInstanceOf(ProtocolException.class);
  }

  private static InboundFrame body(int type, long id, Object value) throws IOException {
    return InboundFrame.whole(bodyBytes(type, id, value));
  }

  private static byte[] bodyBytes(int type, long id, Object value) throws IOException {
    return bytes(
        OutboundFrame.encode(
            packer -> {
              packer.packArrayHeader(3).packInt(type).packLong(id);
              ValueCodec.pack(packer, value);
            },
            Integer.MAX_VALUE));
  }

  private static InboundFrame bare(Object value) throws IOException {
    return InboundFrame.whole(bytes(Messages.bare(value, Integer.MAX_VALUE)));
  }

  private static byte[] bytes(OutboundFrame frame) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(out);
    writer.write(frame);
    writer.flush();
    byte[] framed = out.toByteArray();
    return Arrays.copyOfRange(framed, 4, framed.length);
  }
}
