package dev.synapse.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.DType;
import dev.synapse.NDArray;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;

/** The ndarray extension type through ValueCodec: its exact bytes, round trips, copies avoided. */
class NDArrayCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int[][] SHAPES = {{}, {0}, {7}, {2, 3}, {0, 3}, {3, 0, 2}, {2, 3, 4}};

  private static byte[] encode(Object value) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      ValueCodec.pack(packer, value);
      return packer.toByteArray();
    }
  }

  private static Object decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(frame)) {
      return ValueCodec.unpack(unpacker, frame.length);
    }
  }

  private static NDArray random(DType dtype, int[] shape, long seed) {
    int count = 1;
    for (int dimension : shape) {
      count *= dimension;
    }
    byte[] bytes = new byte[count * dtype.itemSize()];
    Random random = new Random(seed);
    random.nextBytes(bytes);
    if (dtype == DType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] &= 1;
      }
    }
    NDArray array = NDArray.wrap(dtype, bytes, shape.length == 0 ? new int[] {1} : shape);
    return shape.length == 0 ? array.reshape() : array;
  }

  @Test
  void theBytesAreTheDocumentedOnes() throws IOException {
    byte[] int16 = {1, 0, 2, 0, 3, 0, 4, 0};
    // fixext 16, type 1: ["<i2", [2, 2]] then the elements
    assertThat(HEX.formatHex(encode(NDArray.wrap(DType.INT16, int16, 2, 2))))
        .isEqualTo("d801" + "92a33c693292" + "0202" + "0100020003000400");
    assertThat(HEX.formatHex(encode(NDArray.of(new double[] {1.5}).reshape())))
        .isEqualTo("c70e01" + "92a33c663890" + "000000000000f83f");
    assertThat(HEX.formatHex(encode(NDArray.of(new boolean[3]))))
        .isEqualTo("c70a01" + "92a37c62319103" + "000000");
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void everyDtypeAndShapeRoundTrips(DType dtype) throws IOException {
    for (int[] shape : SHAPES) {
      NDArray array = random(dtype, shape, shape.length);
      NDArray decoded = (NDArray) decode(encode(array));

      assertThat(decoded).as("%s %s", dtype, List.of(shape)).isEqualTo(array);
      assertThat(decoded.shape()).isEqualTo(shape);
    }
  }

  @Test
  void arraysInsideContainersRoundTrip() throws IOException {
    NDArray small = NDArray.of(new float[] {1, 2, 3});
    NDArray large = NDArray.of(new long[10_000], 100, 100);
    Object decoded = decode(encode(Map.of("list", List.of(small, large, 3))));

    assertThat(decoded).isEqualTo(Map.of("list", List.of(small, large, 3L)));
  }

  @Test
  void aDirectOrReadOnlyBufferEncodesLikeAHeapOne() throws IOException {
    NDArray heap = random(DType.FLOAT64, new int[] {100, 50}, 1);
    ByteBuffer direct =
        ByteBuffer.allocateDirect(heap.buffer().remaining()).put(heap.buffer()).flip();

    assertThat(encode(NDArray.wrap(DType.FLOAT64, direct, 100, 50))).isEqualTo(encode(heap));
    assertThat(encode(NDArray.wrap(DType.FLOAT64, heap.buffer(), 100, 50))).isEqualTo(encode(heap));
  }

  @Test
  void aLargeArrayIsReferencedByThePacker_notCopied() throws IOException {
    byte[] bytes = new byte[1024 * 1024];
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      ValueCodec.pack(packer, NDArray.wrap(DType.FLOAT32, bytes));

      assertThat(packer.toBufferList())
          .extracting(MessageBuffer::array)
          .anySatisfy(array -> assertThat(array).isSameAs(bytes));
    }
  }

  @Test
  void aLargeDecodedArraySharesTheFrame() throws IOException {
    byte[] frame = encode(NDArray.of(new double[100_000]));
    NDArray decoded = (NDArray) decode(frame);
    frame[frame.length - 1] = 0x3F; // the top byte of the last element
    frame[frame.length - 2] = (byte) 0xF0;

    assertThat(decoded.toDoubleArray()[99_999]).isEqualTo(1.0);
  }

  @Test
  void aBodyCopiedOutOfSharedMemoryBecomesTheArray_notCopiedAgain() throws IOException {
    byte[] frame = encode(NDArray.of(new double[100_000]));
    int extHeader = 6; // ext 32: marker, length, type
    byte[] body = Arrays.copyOfRange(frame, extHeader, frame.length);

    NDArray decoded = NDArrayCodec.unpack(body);
    body[body.length - 1] = 0x3F;
    body[body.length - 2] = (byte) 0xF0;

    assertThat(decoded.shape()).containsExactly(100_000);
    assertThat(decoded.toDoubleArray()[99_999]).isEqualTo(1.0);
    assertThatThrownBy(() -> NDArrayCodec.unpack(Arrays.copyOf(body, body.length - 1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bytes of data instead of");
  }

  @Test
  void aSmallArrayInALargeFrameIsCopied_soItDoesNotKeepTheFrame() throws IOException {
    byte[] frame = encode(List.of(NDArray.of(new double[10_000]), new byte[1024 * 1024]));
    NDArray decoded = (NDArray) ((List<?>) decode(frame)).get(0);
    int lastElement = 1 + 6 + 9 + 10_000 * 8 - 1; // list header, ext 32 header, ndarray header
    frame[lastElement] = 0x3F;

    assertThat(decoded.toDoubleArray()[9_999]).isZero();
    assertThat(decoded.size()).isEqualTo(10_000);
  }

  private static byte[] ext(String typeString, List<?> shape, int dataBytes) throws IOException {
    try (MessageBufferPacker header = MessagePack.newDefaultBufferPacker()) {
      header.packArrayHeader(2).packString(typeString).packArrayHeader(shape.size());
      for (Object dimension : shape) {
        if (dimension instanceof Integer i) {
          header.packInt(i);
        } else {
          header.packString(String.valueOf(dimension));
        }
      }
      byte[] head = header.toByteArray();
      byte[] payload = new byte[head.length + dataBytes];
      System.arraycopy(head, 0, payload, 0, head.length);
      return rawExtension(payload);
    }
  }

  /** An ndarray extension value as the worker might send it: not checked, as an encoded one is. */
  private static byte[] rawExtension(byte[] payload) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packExtensionTypeHeader(NDArrayCodec.EXT_TYPE, payload.length).writePayload(payload);
      return packer.toByteArray();
    }
  }

  @Test
  void ndarrayKnowsNothingOfTheCodec_andTheCodecOffersNoSetter() throws IOException {
    try (InputStream in = NDArray.class.getResourceAsStream("NDArray.class")) {
      String classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      // The one internal type an array knows is the lease of its shared memory, which knows no
      // array or codec in turn.
      assertThat(classFile.replace("dev/synapse/internal/shm/Lease", ""))
          .doesNotContain("dev/synapse/internal");
    }
    assertThat(NDArrayCodec.class.getMethods())
        .filteredOn(method -> method.getDeclaringClass() == NDArrayCodec.class)
        .extracting(Method::getName)
        .containsOnly("pack", "unpack", "validate", "view");
  }

  @Test
  void malformedValuesAreRefused() throws IOException {
    assertThatThrownBy(() -> decode(ext(">f8", List.of(1), 8)))
        .isInstanceOf(IOException.class)
        .hasMessage("An ndarray extension value of the unknown dtype \">f8\"");
    assertThatThrownBy(() -> decode(ext("<f8", List.of(2), 8)))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "An ndarray extension value of dtype float64 and shape [2] holds 8 bytes of data instead of 16");
    assertThatThrownBy(() -> decode(ext("<f8", List.of(-1), 0)))
        .isInstanceOf(IOException.class)
        .hasMessage("An ndarray extension value with the dimension -1");
    assertThatThrownBy(() -> decode(ext("<f8", List.of("two"), 16)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("An ndarray extension value with a malformed header");
    assertThatThrownBy(() -> decode(rawExtension(new byte[] {(byte) 0x91, 1})))
        .isInstanceOf(IOException.class)
        .hasMessage("An ndarray extension value without its [dtype, shape] header");
    assertThatThrownBy(() -> decode(rawExtension(new byte[] {(byte) 0x92, (byte) 0xa3})))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("An ndarray extension value with a malformed header");
  }
}
