package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.codec.ValueCodec;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * NDArrays through real workers running the {@code arrays} fixture on Debian's python3 with
 * python3-numpy: with msgpack's codec, and with the pure codec (msgpack hidden by the stub package
 * in the {@code without_msgpack} fixture directory).
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class NDArrayWorkerTest {
  private static final int[][] SHAPES = {{}, {0}, {7}, {2, 3}, {0, 3}, {3, 0, 2}, {4, 3, 2}};
  private static final String MSGPACK = "msgpack";
  private static final String PURE = "pure";

  private static Synapse spawn(String codec) {
    Synapse.Builder builder = Fixtures.builder(DEBIAN_PYTHON);
    if (codec.equals(PURE)) {
      builder.environment("PYTHONPATH", module("without_msgpack").toString());
    }
    Synapse synapse = builder.build();
    try {
      synapse.spawn(module("arrays"), "main");
      assertThat(synapse.workerInfo().orElseThrow().codec()).isEqualTo(codec);
      return synapse;
    } catch (RuntimeException | AssertionError e) {
      synapse.close();
      throw e;
    }
  }

  static Stream<Arguments> codecsAndDtypes() {
    return Stream.of(MSGPACK, PURE)
        .flatMap(codec -> Arrays.stream(DType.values()).map(dtype -> Arguments.of(codec, dtype)));
  }

  private static NDArray random(DType dtype, int[] shape, long seed) {
    int count = 1;
    for (int dimension : shape) {
      count *= dimension;
    }
    byte[] bytes = new byte[count * dtype.itemSize()];
    new Random(seed).nextBytes(bytes); // for floats: NaNs with payloads, subnormals, infinities...
    if (dtype == DType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] &= 1;
      }
    }
    NDArray array = NDArray.wrap(dtype, bytes, shape.length == 0 ? new int[] {1} : shape);
    return shape.length == 0 ? array.reshape() : array;
  }

  private static byte[] bytesOf(NDArray array) {
    ByteBuffer buffer = array.buffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** {@code a[::2, 1:]} of a 2-d array, computed here. */
  private static NDArray everyOtherRowWithoutTheFirstColumn(NDArray array) {
    int rows = array.shape()[0];
    int columns = array.shape()[1];
    int item = array.dtype().itemSize();
    byte[] source = bytesOf(array);
    int outRows = (rows + 1) / 2;
    int outColumns = Math.max(columns - 1, 0);
    byte[] out = new byte[outRows * outColumns * item];
    for (int r = 0; r < outRows; r++) {
      System.arraycopy(
          source, ((2 * r) * columns + 1) * item, out, r * outColumns * item, outColumns * item);
    }
    return NDArray.wrap(array.dtype(), out, outRows, outColumns);
  }

  /** The transpose of a 2-d array, computed here. */
  private static NDArray transposed(NDArray array) {
    int rows = array.shape()[0];
    int columns = array.shape()[1];
    int item = array.dtype().itemSize();
    byte[] source = bytesOf(array);
    byte[] out = new byte[source.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        System.arraycopy(source, (r * columns + c) * item, out, (c * rows + r) * item, item);
      }
    }
    return NDArray.wrap(array.dtype(), out, columns, rows);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("codecsAndDtypes")
  void everyShapeAndLayout_roundTripsBitExactly(String codec, DType dtype) {
    try (Synapse synapse = spawn(codec)) {
      javaArraysArriveAsWritableNdarraysAndComeBack(synapse, dtype);
      otherLayoutsComeBackInCOrder(synapse, dtype);
      arraysMadeInPythonArrive(synapse, dtype);
    }
  }

  private static void javaArraysArriveAsWritableNdarraysAndComeBack(Synapse synapse, DType dtype) {
    for (int[] shape : SHAPES) {
      NDArray array = random(dtype, shape, 31L * shape.length + dtype.ordinal());
      String label = dtype + " " + Arrays.toString(shape);

      Map<?, ?> received = (Map<?, ?>) synapse.invoke("describe", array);
      assertThat(received.get("type")).as(label).isEqualTo("numpy.ndarray");
      assertThat(received.get("dtype")).as(label).isEqualTo(dtype.typeString());
      assertThat(received.get("shape"))
          .as(label)
          .isEqualTo(Arrays.stream(shape).mapToObj(n -> (long) n).toList());
      assertThat(received.get("writeable")).as(label).isEqualTo(true);
      assertThat(received.get("owndata")).as(label).isEqualTo(true);
      assertThat((byte[]) received.get("bytes")).as(label).isEqualTo(bytesOf(array));

      assertThat(synapse.invoke("echo", array)).as(label).isEqualTo(array);
    }
  }

  /** Fortran order, a strided view and a transpose made in Python come back in C order. */
  private static void otherLayoutsComeBackInCOrder(Synapse synapse, DType dtype) {
    for (int[] shape : new int[][] {{5, 4}, {1, 1}, {6, 3}}) {
      NDArray array = random(dtype, shape, shape[0]);
      String label = dtype + " " + Arrays.toString(shape);

      assertThat(synapse.invoke("reorder", Map.of("array", array, "layout", "F")))
          .as(label)
          .isEqualTo(array);
      assertThat(synapse.invoke("reorder", Map.of("array", array, "layout", "strided")))
          .as(label)
          .isEqualTo(everyOtherRowWithoutTheFirstColumn(array));
      assertThat(synapse.invoke("reorder", Map.of("array", array, "layout", "T")))
          .as(label)
          .isEqualTo(transposed(array));
    }
    NDArray cube = random(dtype, new int[] {2, 3, 4}, 3);
    assertThat(synapse.invoke("reorder", Map.of("array", cube, "layout", "F"))).isEqualTo(cube);
  }

  /**
   * Arrays made in Python, in every layout (big-endian ones too), arrive as their C-order bytes.
   */
  private static void arraysMadeInPythonArrive(Synapse synapse, DType dtype) {
    List<Object[]> cases = new ArrayList<>();
    for (String layout : List.of("C", "F", "strided", "transposed", "big-endian")) {
      cases.add(new Object[] {layout, List.of(4, 3)});
      cases.add(new Object[] {layout, List.of(2, 3, 4)});
    }
    cases.add(new Object[] {"C", List.of()});
    cases.add(new Object[] {"C", List.of(0)});
    cases.add(new Object[] {"F", List.of(0, 5)});
    for (Object[] c : cases) {
      String label = dtype + " " + c[0] + " " + c[1];
      List<?> made =
          (List<?>)
              synapse.invoke(
                  "make",
                  Map.of("dtype", dtype.typeString(), "shape", c[1], "layout", c[0], "seed", 7));
      NDArray array = (NDArray) made.get(0);

      assertThat(array.dtype()).as(label).isEqualTo(dtype);
      assertThat(Arrays.stream(array.shape()).mapToObj(n -> (long) n).toList())
          .as(label)
          .isEqualTo(made.get(2));
      assertThat(bytesOf(array)).as(label).isEqualTo((byte[]) made.get(1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void bothSidesWriteTheSameBytes(String codec) throws IOException {
    try (Synapse synapse = spawn(codec)) {
      for (DType dtype : DType.values()) {
        for (int[] shape : SHAPES) {
          NDArray array = random(dtype, shape, 5);
          try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            ValueCodec.pack(packer, array);
            assertThat((byte[]) synapse.invoke("encoded", array))
                .as(dtype + " " + Arrays.toString(shape))
                .isEqualTo(packer.toByteArray());
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void numpyScalarsAndDatetimesConvert(String codec) {
    try (Synapse synapse = spawn(codec)) {
      Map<?, ?> answer = (Map<?, ?>) synapse.invoke("scalars", null);

      Instant moment = Instant.parse("2024-02-29T12:34:56Z");
      assertThat(answer.get("float32")).isEqualTo(1.5);
      assertThat(answer.get("float16")).isEqualTo(0.0999755859375);
      assertThat(answer.get("float64")).isEqualTo(0.1);
      assertThat(answer.get("int64")).isEqualTo(-3L);
      assertThat(answer.get("uint64"))
          .isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
      assertThat(answer.get("uint8")).isEqualTo(200L);
      assertThat(answer.get("bool")).isEqualTo(true);
      assertThat(answer.get("datetime64")).isEqualTo(Instant.parse("2024-02-29T12:34:56.789012Z"));
      assertThat(answer.get("datetime")).isEqualTo(moment);
      assertThat(answer.get("naive_datetime")).isEqualTo(moment);
      assertThat(answer.get("zero_d")).isEqualTo(NDArray.of(new double[] {2.5}).reshape());
      assertThat(answer.get("sum")).isEqualTo(6L);
    }
  }

  @Test
  void float16ValuesConvertLikeNumpy() {
    try (Synapse synapse = spawn(MSGPACK)) {
      List<?> table = (List<?>) synapse.invoke("half_table", null);
      float[] ours = ((NDArray) table.get(0)).toFloatArray();
      float[] numpys = ((NDArray) table.get(1)).toFloatArray();

      assertThat(ours).hasSize(65536);
      for (int i = 0; i < ours.length; i++) {
        if (Float.isNaN(numpys[i])) { // numpy may quiet a signalling NaN
          assertThat(ours[i]).as("float16 bits %04x", i).isNaN();
        } else {
          assertThat(Float.floatToRawIntBits(ours[i]))
              .as("float16 bits %04x", i)
              .isEqualTo(Float.floatToRawIntBits(numpys[i]));
        }
      }
    }
  }

  @Test
  void receivedArraysAreWritableInPython() {
    try (Synapse synapse = spawn(MSGPACK)) {
      NDArray answer =
          synapse.invoke("add_in_place", NDArray.of(new int[] {1, 2, 3, 4}, 2, 2), NDArray.class);

      assertThat(answer).isEqualTo(NDArray.of(new int[] {2, 3, 4, 5}, 2, 2));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"complex:complex128", "object:object", "text:<U1", "datetime64:datetime64[D]"})
  void anUnsupportedDtypeFailsTheCallWithAnEncodeError_andTheWorkerServesOn(String kindAndDtype) {
    String[] parts = kindAndDtype.split(":");
    try (Synapse synapse = spawn(MSGPACK)) {
      assertThatThrownBy(() -> synapse.invoke("unsupported", parts[0]))
          .isInstanceOfSatisfying(
              PythonException.class,
              e -> assertThat(e.kind()).isEqualTo(PythonException.Kind.ENCODE))
          .hasMessageContaining(
              "cannot encode object of type 'numpy.ndarray' with dtype " + parts[1]);

      assertThat(synapse.invoke("echo", NDArray.of(new long[] {1})))
          .isEqualTo(NDArray.of(new long[] {1}));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  @SuppressWarnings("unchecked")
  void sixtyFourMebibytesOfFloat64EachWay(String codec) {
    int count = 8 * 1024 * 1024;
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = i * 0.25;
    }
    try (Synapse synapse = spawn(codec)) {
      NDArray array = NDArray.of(values, 4096, 2048);

      List<Object> summary = (List<Object>) synapse.invoke("checksum", array);
      assertThat(summary)
          .containsExactly(
              "<f8",
              List.of(4096L, 2048L),
              0.25 * count * (count - 1.0) / 2,
              0.0,
              (count - 1) * 0.25);

      NDArray filled = synapse.invoke("filled", Map.of("n", count), NDArray.class);
      assertThat(filled.shape()).containsExactly(count);
      double[] doubles = filled.toDoubleArray();
      assertThat(doubles[0]).isZero();
      assertThat(doubles[count - 1]).isEqualTo((count - 1) * 0.5);

      assertThat(synapse.invoke("echo", array)).isEqualTo(array);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {PLAIN_PYTHON, DEBIAN_PYTHON})
  void aWorkerWithoutNumpy_receivesAPlainMap_andServesOn(String python) {
    try (Synapse synapse = Fixtures.builder(python).environment("ARRAYS_HIDE_NUMPY", "1").build()) {
      synapse.spawn(module("arrays"), "main");
      NDArray array = NDArray.of(new double[] {1.5, -2, 0, 4, 5, 6}, 2, 3);

      Map<?, ?> received = (Map<?, ?>) synapse.invoke("describe", array);
      assertThat(received.get("type")).isEqualTo("builtins.dict");
      Map<?, ?> value = (Map<?, ?>) received.get("value");
      assertThat(value.get("dtype")).isEqualTo("<f8");
      assertThat(value.get("shape")).isEqualTo(List.of(2L, 3L));
      assertThat((byte[]) value.get("data")).isEqualTo(bytesOf(array));

      assertThat(synapse.invoke("numpy_loaded", null)).isEqualTo(false);
      assertThat(synapse.invoke("echo", "still serving")).isEqualTo("still serving");
    }
  }

  @Test
  void aVenvWithSystemSitePackagesSeesDebiansNumpy(@TempDir Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("arrays"));
    Files.copy(module("arrays").resolve("main.py"), dir.resolve("main.py"));
    Files.writeString(
        dir.resolve("requirements.txt"),
        "# numpy and msgpack come from the system site-packages\n");

    try (Synapse synapse =
        Synapse.builder().python(DEBIAN_PYTHON).systemSitePackages(true).build()) {
      synapse.spawn(dir, "main");
      NDArray array = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);

      assertThat(((Map<?, ?>) synapse.invoke("describe", array)).get("type"))
          .isEqualTo("numpy.ndarray");
      assertThat(synapse.invoke("reorder", Map.of("array", array, "layout", "T")))
          .isEqualTo(NDArray.of(new float[] {1, 3, 5, 2, 4, 6}, 2, 3));
    }
    assertThat(dir.resolve(".venv").resolve("pyvenv.cfg")).exists();
  }
}
