package dev.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** NDArray on its own: factories, shapes, views, exact conversions, equality. */
class NDArrayTest {
  private static byte[] littleEndian(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long value : values) {
      buffer.putLong(value);
    }
    return buffer.array();
  }

  @Test
  void of_withoutShape_isOneDimensional() {
    NDArray array = NDArray.of(new double[] {1.5, -2, 3});

    assertThat(array.dtype()).isEqualTo(DType.FLOAT64);
    assertThat(array.shape()).containsExactly(3);
    assertThat(array.ndim()).isEqualTo(1);
    assertThat(array.size()).isEqualTo(3);
    assertThat(array.toDoubleArray()).containsExactly(1.5, -2, 3);
  }

  @Test
  void of_withShape_keepsTheElementsInCOrder() {
    NDArray array = NDArray.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);

    assertThat(array.dtype()).isEqualTo(DType.INT32);
    assertThat(array.shape()).containsExactly(2, 3);
    ByteBuffer buffer = array.buffer();
    assertThat(buffer.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(buffer.remaining()).isEqualTo(24);
    assertThat(buffer.getInt(4 * 4)).isEqualTo(5);
    assertThat(buffer.get(0)).isEqualTo((byte) 1); // little-endian whatever the view's order
  }

  @Test
  void everyFactoryHasItsDtype() {
    assertThat(NDArray.of(new float[] {1}).dtype()).isEqualTo(DType.FLOAT32);
    assertThat(NDArray.of(new long[] {1}).dtype()).isEqualTo(DType.INT64);
    assertThat(NDArray.of(new byte[] {1}).dtype()).isEqualTo(DType.INT8);
    assertThat(NDArray.of(new boolean[] {true, false}).toBooleanArray())
        .containsExactly(true, false);
    assertThat(NDArray.of(new boolean[] {true, false}).buffer().get(0)).isEqualTo((byte) 1);
  }

  @Test
  void of_copiesItsInput() {
    double[] data = {1, 2};
    NDArray array = NDArray.of(data);
    data[0] = 99;

    assertThat(array.toDoubleArray()).containsExactly(1, 2);
  }

  @Test
  void shape_thatDoesNotFit_isRefusedWithBothNumbers() {
    assertThatThrownBy(() -> NDArray.of(new double[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [2, 3] holds 6 elements, but there are 5");
    assertThatThrownBy(() -> NDArray.of(new double[6], 2, -3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [2, -3] has a negative dimension");
    assertThatThrownBy(() -> NDArray.of(new double[6], 65536, 65536, 65536, 65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [65536, 65536, 65536, 65536] holds over 2^31 elements, but there are 6");
  }

  @Test
  void zeroLengthDimensions_areFine() {
    NDArray array = NDArray.of(new float[0], 3, 0, 2);

    assertThat(array.shape()).containsExactly(3, 0, 2);
    assertThat(array.size()).isZero();
    assertThat(array.buffer().remaining()).isZero();
    assertThat(array.toFloatArray()).isEmpty();
  }

  @Test
  void shape_returnsACopy() {
    NDArray array = NDArray.of(new int[6], 2, 3);
    array.shape()[0] = 6;

    assertThat(array.shape()).containsExactly(2, 3);
  }

  @Test
  void reshape_sharesTheBytes_andWithoutDimensionsIsZeroD() {
    NDArray matrix = NDArray.of(new long[] {1, 2, 3, 4, 5, 6}).reshape(3, 2);
    assertThat(matrix.shape()).containsExactly(3, 2);
    assertThat(matrix.toLongArray()).containsExactly(1, 2, 3, 4, 5, 6);

    NDArray scalar = NDArray.of(new double[] {2.5}).reshape();
    assertThat(scalar.ndim()).isZero();
    assertThat(scalar.shape()).isEmpty();
    assertThat(scalar.size()).isEqualTo(1);
    assertThat(scalar.toDoubleArray()).containsExactly(2.5);
    assertThat(scalar).hasToString("NDArray[float64 (): 2.5]");

    assertThatThrownBy(() -> matrix.reshape())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A 0-d array holds 1 element; this one holds 6");
    assertThatThrownBy(() -> matrix.reshape(4, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [4, 2] holds 8 elements, but there are 6");
  }

  @Test
  void wrap_sharesTheArray() {
    byte[] bytes = littleEndian(7, 8);
    NDArray array = NDArray.wrap(DType.INT64, bytes);
    bytes[0] = 9;

    assertThat(array.shape()).containsExactly(2);
    assertThat(array.toLongArray()).containsExactly(9, 8);
  }

  @Test
  void wrap_takesTheRemainingBytesOfABuffer_whateverItsOrder_andLeavesItsPosition() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(20).order(ByteOrder.BIG_ENDIAN);
    buffer.position(4);
    buffer
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(0, 1)
        .putInt(4, 2)
        .putInt(8, 3)
        .putInt(12, 4);

    NDArray array = NDArray.wrap(DType.UINT32, buffer, 2, 2);

    assertThat(array.toLongArray()).containsExactly(1, 2, 3, 4);
    assertThat(buffer.position()).isEqualTo(4);
    assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
  }

  @Test
  void wrap_refusesBytesThatAreNotWholeElements() {
    assertThatThrownBy(() -> NDArray.wrap(DType.FLOAT32, new byte[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("6 bytes are not a whole number of float32 elements (4 bytes each)");
    assertThatThrownBy(() -> NDArray.wrap(DType.FLOAT32, new byte[8], 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [3] holds 3 elements, but there are 2");
  }

  @Test
  void buffer_isAReadOnlyViewOfItsOwn() {
    NDArray array = NDArray.of(new int[] {1, 2});
    ByteBuffer first = array.buffer();
    first.position(4);

    assertThat(first.isReadOnly()).isTrue();
    assertThat(array.buffer().position()).isZero();
    assertThatThrownBy(() -> first.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
  }

  @Test
  void unsignedValuesConvertWithoutSign() {
    assertThat(NDArray.wrap(DType.UINT8, new byte[] {(byte) 0xFF}).toIntArray())
        .containsExactly(255);
    assertThat(NDArray.wrap(DType.UINT16, new byte[] {(byte) 0xFF, (byte) 0xFF}).toIntArray())
        .containsExactly(65535);
    byte[] maxUint32 = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    assertThat(NDArray.wrap(DType.UINT32, maxUint32).toLongArray()).containsExactly(4294967295L);
    assertThat(NDArray.wrap(DType.UINT32, maxUint32).toDoubleArray()).containsExactly(4294967295.0);
    assertThat(NDArray.wrap(DType.INT8, new byte[] {(byte) 0xFF}).toFloatArray())
        .containsExactly(-1f);
    assertThat(NDArray.wrap(DType.BOOL, new byte[] {0, 1}).toDoubleArray()).containsExactly(0, 1);
  }

  @Test
  void float16_convertsExactly() {
    short[] bits = {
      0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x0400, (short) 0x8000, 0x7C00, (short) 0xFC00, 0x3555
    };
    ByteBuffer buffer = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short b : bits) {
      buffer.putShort(b);
    }
    NDArray halves = NDArray.wrap(DType.FLOAT16, buffer.flip());

    assertThat(halves.toFloatArray())
        .containsExactly(
            1f,
            -2f,
            65504f,
            0x1p-24f,
            0x1p-14f,
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            0.333251953125f);
    assertThat(Float.floatToRawIntBits(halves.toFloatArray()[5])).isEqualTo(0x8000_0000);
    assertThat(halves.toDoubleArray()[8]).isEqualTo(0.333251953125);
    NDArray nan = NDArray.wrap(DType.FLOAT16, new byte[] {0x01, 0x7E});
    assertThat(Float.floatToRawIntBits(nan.toFloatArray()[0])).isEqualTo(0x7FC0_2000);
  }

  private static final Set<DType> DOUBLES =
      EnumSet.complementOf(EnumSet.of(DType.INT64, DType.UINT64));
  private static final Set<DType> FLOATS =
      EnumSet.of(
          DType.BOOL,
          DType.INT8,
          DType.INT16,
          DType.UINT8,
          DType.UINT16,
          DType.FLOAT16,
          DType.FLOAT32);
  private static final Set<DType> LONGS =
      EnumSet.of(
          DType.BOOL,
          DType.INT8,
          DType.INT16,
          DType.INT32,
          DType.INT64,
          DType.UINT8,
          DType.UINT16,
          DType.UINT32);
  private static final Set<DType> INTS =
      EnumSet.of(DType.BOOL, DType.INT8, DType.INT16, DType.INT32, DType.UINT8, DType.UINT16);

  @ParameterizedTest
  @EnumSource(DType.class)
  void conversions_areExactOrRefusedNamingTheDtype(DType dtype) {
    // Element values 0, 1, 2 fit in every dtype; bool's 2 is a non-zero byte, read as true / 1.
    byte[] bytes = new byte[3 * dtype.itemSize()];
    for (int i = 0; i < 3; i++) {
      bytes[i * dtype.itemSize()] = (byte) i;
    }
    if (dtype == DType.FLOAT16 || dtype == DType.FLOAT32 || dtype == DType.FLOAT64) {
      bytes =
          switch (dtype) {
            case FLOAT16 -> new byte[] {0, 0, 0, 0x3C, 0, 0x40};
            case FLOAT32 ->
                ByteBuffer.allocate(12)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(0)
                    .putFloat(1)
                    .putFloat(2)
                    .array();
            default ->
                ByteBuffer.allocate(24)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putDouble(0)
                    .putDouble(1)
                    .putDouble(2)
                    .array();
          };
    }
    NDArray array = NDArray.wrap(dtype, bytes);
    double two = dtype == DType.BOOL ? 1 : 2;

    check(array, DOUBLES, NDArray::toDoubleArray, "double[]", new double[] {0, 1, two});
    check(array, FLOATS, NDArray::toFloatArray, "float[]", new float[] {0, 1, (float) two});
    check(array, LONGS, NDArray::toLongArray, "long[]", new long[] {0, 1, (long) two});
    check(array, INTS, NDArray::toIntArray, "int[]", new int[] {0, 1, (int) two});
    check(
        array,
        EnumSet.of(DType.BOOL),
        NDArray::toBooleanArray,
        "boolean[]",
        new boolean[] {false, true, true});
  }

  private static void check(
      NDArray array,
      Set<DType> accepted,
      Function<NDArray, Object> convert,
      String target,
      Object expected) {
    if (accepted.contains(array.dtype())) {
      assertThat(convert.apply(array)).isEqualTo(expected);
    } else {
      assertThatThrownBy(() -> convert.apply(array))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "Cannot copy an NDArray of dtype "
                  + array.dtype().numpyName()
                  + " to "
                  + target
                  + " exactly")
          .hasMessageContaining("buffer() reads any dtype");
    }
  }

  @Test
  void refusedConversion_listsTheDtypesItTakes() {
    assertThatThrownBy(() -> NDArray.of(new long[] {1L << 60}).toDoubleArray())
        .hasMessage(
            "Cannot copy an NDArray of dtype int64 to double[] exactly; double[] takes the dtypes bool, int8, int16,"
                + " int32, uint8, uint16, uint32, float16, float32, float64. buffer() reads any dtype.");
  }

  @Test
  void equality_isDtypeShapeAndBits() {
    NDArray a = NDArray.of(new double[] {Double.NaN, 0.0, 1}, 3);
    NDArray b = NDArray.wrap(DType.FLOAT64, a.buffer());

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.reshape(3, 1));
    assertThat(a).isNotEqualTo(NDArray.of(new double[] {Double.NaN, -0.0, 1}));
    assertThat(NDArray.of(new long[] {1}))
        .isNotEqualTo(NDArray.wrap(DType.UINT64, littleEndian(1)));
  }

  @Test
  void toString_showsTheFirstElementsOnly() {
    assertThat(NDArray.of(new int[] {1, 2, 3, 4}, 2, 2))
        .hasToString("NDArray[int32 (2, 2): 1, 2, 3, 4]");
    assertThat(NDArray.of(new boolean[] {true})).hasToString("NDArray[bool (1,): true]");
    assertThat(NDArray.wrap(DType.UINT64, littleEndian(-1)))
        .hasToString("NDArray[uint64 (1,): 18446744073709551615]");
    assertThat(NDArray.of(new float[0], 0, 4)).hasToString("NDArray[float32 (0, 4)]");
    assertThat(NDArray.of(new double[8 * 1024 * 1024], 1024, 8192))
        .hasToString(
            "NDArray[float64 (1024, 8192): 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ... (8388600 more)]");
  }

  @Test
  void dtypes_knowTheirNumpyForms() {
    assertThat(DType.FLOAT64.numpyName()).isEqualTo("float64");
    assertThat(DType.FLOAT64.typeString()).isEqualTo("<f8");
    assertThat(DType.BOOL.typeString()).isEqualTo("|b1");
    assertThat(DType.UINT16.itemSize()).isEqualTo(2);
    assertThat(DType.ofTypeString("|u1")).isEqualTo(DType.UINT8);
    assertThatThrownBy(() -> DType.ofTypeString(">f8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No DType has the type string >f8");
  }
}
