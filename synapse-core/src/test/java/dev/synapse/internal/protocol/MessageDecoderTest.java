package dev.synapse.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    PythonException exception = answer.error();
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
