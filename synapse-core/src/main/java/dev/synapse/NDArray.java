package dev.synapse;

import dev.synapse.internal.shm.Lease;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntToLongFunction;
import java.util.stream.Collectors;

/**
 * A numpy array on the Java side: a {@link DType}, a shape, and the elements as raw little-endian
 * bytes in C order (row-major, the last index varying fastest). A Python answer holding an {@code
 * ndarray} arrives as an {@code NDArray}, and an {@code NDArray} in a call's input arrives in
 * Python as an {@code ndarray}; the bytes cross the boundary as they are, without per-element
 * encoding (the format is in {@code docs/protocol.md}).
 *
 * <p>Shapes: the {@code of} and {@code wrap} factories take the dimensions as their last arguments,
 * and none for a one-dimensional array of all the elements. A 0-d array (numpy's shape {@code ()},
 * one element) is made with {@link #reshape(int...) reshape()} without dimensions.
 *
 * <p>Copies: {@code of(...)} copies a Java array into a new buffer; {@code wrap(...)} does not
 * copy, so a large array can be sent without a second copy of its bytes, and later changes to the
 * wrapped bytes show through (do not change them while a call that sends them is in flight). An
 * array decoded from an answer shares the received frame's memory rather than copying it. {@link
 * #buffer()} is a read-only view, never a copy; the {@code toXxxArray()} methods copy.
 *
 * <p>Conversions are exact or refused: {@link #toDoubleArray()} accepts every dtype whose values
 * are all doubles (not int64 and uint64), {@link #toFloatArray()} those whose values are all
 * floats, and so on; each method names the dtypes it accepts. A refused conversion throws {@link
 * IllegalStateException} naming the dtype; {@link #buffer()} reads any dtype.
 *
 * <p><b>Shared memory.</b> An array can also live in the shared memory of a worker: one that a
 * {@link SharedArray} holds, and one that a Python handler allocated with {@code
 * pysynapse.shared.empty(...)} and returned, which arrives as a view of the worker's memory instead
 * of a copy ({@link #isShared()}). Such an array holds a block of that memory until {@link
 * #close()}; every array made from it ({@link #reshape}) shares that block, and closing one closes
 * all. After close, the methods that read the elements ({@code buffer}, the {@code toXxxArray}
 * copies, {@code reshape}, {@code equals}, {@code hashCode}) throw {@link IllegalStateException},
 * sending it fails the call with {@link EncodingException}, and views taken earlier with {@link
 * #buffer()} must no longer be read (their bytes may be reused). An array never closed is freed
 * once it is unreachable, or when its instance is disposed. {@code close()} does nothing for other
 * arrays, so any array may be used in try-with-resources.
 *
 * <p>Instances are immutable and thread-safe, as long as wrapped bytes are not changed.
 */
public final class NDArray implements AutoCloseable {
  private static final int PREVIEW_ELEMENTS = 8;
  private static final Set<DType> TO_DOUBLE =
      EnumSet.complementOf(EnumSet.of(DType.INT64, DType.UINT64));
  private static final Set<DType> TO_FLOAT =
      EnumSet.of(
          DType.BOOL,
          DType.INT8,
          DType.INT16,
          DType.UINT8,
          DType.UINT16,
          DType.FLOAT16,
          DType.FLOAT32);
  private static final Set<DType> TO_LONG =
      EnumSet.of(
          DType.BOOL,
          DType.INT8,
          DType.INT16,
          DType.INT32,
          DType.INT64,
          DType.UINT8,
          DType.UINT16,
          DType.UINT32);
  private static final Set<DType> TO_INT =
      EnumSet.of(DType.BOOL, DType.INT8, DType.INT16, DType.INT32, DType.UINT8, DType.UINT16);
  private static final Set<DType> TO_BOOLEAN = EnumSet.of(DType.BOOL);

  private final DType dtype;
  private final int[] shape;
  private final int size;

  /** The elements, from position 0 to the limit; handed out only as read-only views. */
  private final ByteBuffer bytes;

  /** The block of shared memory the bytes are in; null for an array in the Java heap. */
  private final Lease lease;

  private NDArray(DType dtype, int[] shape, int size, ByteBuffer bytes) {
    this(dtype, shape, size, bytes, null);
  }

  private NDArray(DType dtype, int[] shape, int size, ByteBuffer bytes, Lease lease) {
    this.dtype = dtype;
    this.shape = shape;
    this.size = size;
    this.bytes = bytes;
    this.lease = lease;
  }

  /**
   * This array as the holder of {@code lease}, the block of shared memory its bytes are in.
   * Package-private, so not API; the shared-memory code looks it up like {@link #rawBytes()}.
   */
  NDArray leasing(Lease lease) {
    return new NDArray(dtype, shape, size, bytes, lease);
  }

  /** The block of shared memory this array holds, or null; see {@link #leasing}. */
  Lease lease() {
    return lease;
  }

  /**
   * Whether this array's bytes are in a worker's shared memory (see the class comment); false for
   * one made by {@code of} or {@code wrap}. True after {@link #close()} too.
   */
  public boolean isShared() {
    return lease != null;
  }

  /**
   * Frees the block of shared memory of an array for which {@link #isShared()} is true, for every
   * array that shares it; does nothing for other arrays. Idempotent and thread-safe. The block is
   * reused only once the calls that were sent this array have ended.
   */
  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }

  /** The elements, after checking that this array is not closed. */
  private ByteBuffer bytes() {
    if (lease != null) {
      lease.checkOpen();
    }
    return bytes;
  }

  /**
   * A {@link DType#FLOAT64} array holding a copy of {@code data}.
   *
   * @param shape the dimensions, whose product is {@code data.length}; none for one dimension
   * @throws IllegalArgumentException if the shape does not fit the data
   */
  public static NDArray of(double[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.FLOAT64, data.length, shape);
    bytes.asDoubleBuffer().put(data);
    return new NDArray(DType.FLOAT64, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * A {@link DType#FLOAT32} array holding a copy of {@code data}; see {@link #of(double[],
   * int...)}.
   */
  public static NDArray of(float[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.FLOAT32, data.length, shape);
    bytes.asFloatBuffer().put(data);
    return new NDArray(DType.FLOAT32, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * An {@link DType#INT64} array holding a copy of {@code data}; see {@link #of(double[], int...)}.
   */
  public static NDArray of(long[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.INT64, data.length, shape);
    bytes.asLongBuffer().put(data);
    return new NDArray(DType.INT64, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * An {@link DType#INT32} array holding a copy of {@code data}; see {@link #of(double[], int...)}.
   */
  public static NDArray of(int[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.INT32, data.length, shape);
    bytes.asIntBuffer().put(data);
    return new NDArray(DType.INT32, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * An {@link DType#INT8} array holding a copy of {@code data}; see {@link #of(double[], int...)}.
   */
  public static NDArray of(byte[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.INT8, data.length, shape);
    bytes.put(data).clear();
    return new NDArray(DType.INT8, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * A {@link DType#BOOL} array holding a copy of {@code data}; see {@link #of(double[], int...)}.
   */
  public static NDArray of(boolean[] data, int... shape) {
    ByteBuffer bytes = allocate(DType.BOOL, data.length, shape);
    for (int i = 0; i < data.length; i++) {
      bytes.put(i, data[i] ? (byte) 1 : (byte) 0);
    }
    return new NDArray(DType.BOOL, dimensions(shape, data.length), data.length, bytes);
  }

  /**
   * An array over {@code bytes}, not copied: the elements as little-endian values in C order.
   *
   * @param shape the dimensions; none for one dimension of {@code bytes.length / dtype.itemSize()}
   * @throws IllegalArgumentException if the shape does not fit the number of bytes
   */
  public static NDArray wrap(DType dtype, byte[] bytes, int... shape) {
    return wrap(dtype, ByteBuffer.wrap(bytes), shape);
  }

  /**
   * An array over the remaining bytes of {@code buffer} (from its position to its limit), not
   * copied: the elements as little-endian values in C order, whatever the buffer's byte order. The
   * buffer's position and limit are not changed. Sending an array over a direct or read-only buffer
   * copies the bytes once; over a heap buffer, not at all.
   *
   * @param shape the dimensions; none for one dimension of all the bytes
   * @throws IllegalArgumentException if the shape does not fit the number of bytes
   */
  public static NDArray wrap(DType dtype, ByteBuffer buffer, int... shape) {
    if (dtype == null) {
      throw new IllegalArgumentException("dtype must not be null");
    }
    ByteBuffer bytes = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int length = bytes.remaining();
    if (length % dtype.itemSize() != 0) {
      throw new IllegalArgumentException(
          length
              + " bytes are not a whole number of "
              + dtype.numpyName()
              + " elements ("
              + dtype.itemSize()
              + " bytes each)");
    }
    int count = length / dtype.itemSize();
    int[] dimensions = dimensions(shape, count);
    return new NDArray(dtype, dimensions, count, bytes);
  }

  /**
   * This array's elements with another shape, sharing the bytes (C order, as numpy's {@code
   * reshape}). Without dimensions, the 0-d array of a one-element array.
   *
   * @throws IllegalArgumentException if the shape does not hold {@link #size()} elements
   */
  public NDArray reshape(int... shape) {
    int[] dimensions = shape.length == 0 ? new int[0] : dimensions(shape, size);
    if (shape.length == 0 && size != 1) {
      throw new IllegalArgumentException("A 0-d array holds 1 element; this one holds " + size);
    }
    return new NDArray(dtype, dimensions, size, bytes(), lease);
  }

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** A copy of the dimensions; empty for a 0-d array. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions (0 for a 0-d array). */
  public int ndim() {
    return shape.length;
  }

  /** The number of elements: the product of the dimensions. */
  public int size() {
    return size;
  }

  /**
   * The elements' own buffer (a duplicate positioned at 0), for the codec, which hands a heap
   * buffer's array to the packer instead of copying it. Package-private, so not API; the codec
   * looks it up with {@code MethodHandles.privateLookupIn}, so that this class does not depend on
   * the codec.
   */
  ByteBuffer rawBytes() {
    return bytes().duplicate();
  }

  /**
   * A read-only little-endian view of the elements' bytes in C order, from position 0 to the limit
   * ({@code size() * dtype().itemSize()} bytes). Each call returns a new view, whose position the
   * caller may move; nothing is copied.
   */
  public ByteBuffer buffer() {
    return bytes().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * A copy of the elements as doubles, in C order.
   *
   * @throws IllegalStateException for int64 and uint64, whose values need not be doubles
   */
  public double[] toDoubleArray() {
    requireExact(TO_DOUBLE, "double[]");
    double[] out = new double[size];
    ByteBuffer view = buffer();
    switch (dtype) {
      case FLOAT64 -> view.asDoubleBuffer().get(out);
      case FLOAT32 -> {
        FloatBuffer floats = view.asFloatBuffer();
        for (int i = 0; i < size; i++) {
          out[i] = floats.get(i);
        }
      }
      case FLOAT16 -> {
        ShortBuffer halves = view.asShortBuffer();
        for (int i = 0; i < size; i++) {
          out[i] = halfToFloat(halves.get(i));
        }
      }
      default -> {
        IntToLongFunction element = integerReader(view);
        for (int i = 0; i < size; i++) {
          out[i] = element.applyAsLong(i);
        }
      }
    }
    return out;
  }

  /**
   * A copy of the elements as floats, in C order.
   *
   * @throws IllegalStateException unless the dtype is bool, int8, int16, uint8, uint16, float16 or
   *     float32
   */
  public float[] toFloatArray() {
    requireExact(TO_FLOAT, "float[]");
    float[] out = new float[size];
    ByteBuffer view = buffer();
    if (dtype == DType.FLOAT32) {
      view.asFloatBuffer().get(out);
    } else if (dtype == DType.FLOAT16) {
      ShortBuffer halves = view.asShortBuffer();
      for (int i = 0; i < size; i++) {
        out[i] = halfToFloat(halves.get(i));
      }
    } else {
      IntToLongFunction element = integerReader(view);
      for (int i = 0; i < size; i++) {
        out[i] = element.applyAsLong(i);
      }
    }
    return out;
  }

  /**
   * A copy of the elements as longs, in C order.
   *
   * @throws IllegalStateException for uint64 (values above {@code Long.MAX_VALUE}) and the float
   *     dtypes
   */
  public long[] toLongArray() {
    requireExact(TO_LONG, "long[]");
    long[] out = new long[size];
    ByteBuffer view = buffer();
    if (dtype == DType.INT64) {
      view.asLongBuffer().get(out);
    } else {
      IntToLongFunction element = integerReader(view);
      for (int i = 0; i < size; i++) {
        out[i] = element.applyAsLong(i);
      }
    }
    return out;
  }

  /**
   * A copy of the elements as ints, in C order.
   *
   * @throws IllegalStateException unless the dtype is bool, int8, int16, int32, uint8 or uint16
   */
  public int[] toIntArray() {
    requireExact(TO_INT, "int[]");
    int[] out = new int[size];
    ByteBuffer view = buffer();
    if (dtype == DType.INT32) {
      view.asIntBuffer().get(out);
    } else {
      IntToLongFunction element = integerReader(view);
      for (int i = 0; i < size; i++) {
        out[i] = (int) element.applyAsLong(i);
      }
    }
    return out;
  }

  /**
   * A copy of the elements of a bool array, in C order (any non-zero byte is {@code true}).
   *
   * @throws IllegalStateException unless the dtype is bool
   */
  public boolean[] toBooleanArray() {
    requireExact(TO_BOOLEAN, "boolean[]");
    boolean[] out = new boolean[size];
    for (int i = 0; i < size; i++) {
      out[i] = bytes().get(i) != 0;
    }
    return out;
  }

  /**
   * Equal dtype, shape and bytes (so NaNs with equal bits are equal, and 0.0 differs from -0.0).
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof NDArray that
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && bytes().equals(that.bytes());
  }

  @Override
  public int hashCode() {
    return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + bytes().hashCode();
  }

  /**
   * The dtype, the shape and the first few elements, e.g. {@code NDArray[float64 (2, 3): 1.0, 2.0,
   * ...]}.
   */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("NDArray[").append(dtype.numpyName()).append(" (");
    for (int i = 0; i < shape.length; i++) {
      text.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    text.append(shape.length == 1 ? ",)" : ")");
    if (lease != null && !lease.isOpen()) {
      return text.append(": closed]").toString();
    }
    ByteBuffer view = buffer();
    int shown = Math.min(size, PREVIEW_ELEMENTS);
    for (int i = 0; i < shown; i++) {
      text.append(i == 0 ? ": " : ", ").append(elementText(view, i));
    }
    if (size > shown) {
      text.append(", ... (").append(size - shown).append(" more)");
    }
    return text.append(']').toString();
  }

  private String elementText(ByteBuffer view, int index) {
    return switch (dtype) {
      case BOOL -> String.valueOf(view.get(index) != 0);
      case UINT64 -> Long.toUnsignedString(view.getLong(index * 8));
      case FLOAT16 -> String.valueOf(halfToFloat(view.getShort(index * 2)));
      case FLOAT32 -> String.valueOf(view.getFloat(index * 4));
      case FLOAT64 -> String.valueOf(view.getDouble(index * 8));
      default -> String.valueOf(integerReader(view).applyAsLong(index));
    };
  }

  /** Reads element {@code i} of an integer or bool array (uint64 as its two's-complement bits). */
  private IntToLongFunction integerReader(ByteBuffer view) {
    return switch (dtype) {
      case BOOL -> i -> view.get(i) != 0 ? 1 : 0;
      case INT8 -> view::get;
      case UINT8 -> i -> view.get(i) & 0xFF;
      case INT16 -> {
        ShortBuffer shorts = view.asShortBuffer();
        yield shorts::get;
      }
      case UINT16 -> {
        ShortBuffer shorts = view.asShortBuffer();
        yield i -> shorts.get(i) & 0xFFFF;
      }
      case INT32 -> {
        IntBuffer ints = view.asIntBuffer();
        yield ints::get;
      }
      case UINT32 -> {
        IntBuffer ints = view.asIntBuffer();
        yield i -> ints.get(i) & 0xFFFF_FFFFL;
      }
      case INT64, UINT64 -> {
        LongBuffer longs = view.asLongBuffer();
        yield longs::get;
      }
      default -> throw new IllegalStateException("not an integer dtype: " + dtype);
    };
  }

  private void requireExact(Set<DType> accepted, String target) {
    if (!accepted.contains(dtype)) {
      throw new IllegalStateException(
          "Cannot copy an NDArray of dtype "
              + dtype.numpyName()
              + " to "
              + target
              + " exactly; "
              + target
              + " takes the dtypes "
              + accepted.stream().map(DType::numpyName).collect(Collectors.joining(", "))
              + ". buffer() reads any dtype.");
    }
  }

  /** The IEEE 754 binary16 value {@code bits} as a float: exact (NaN payloads kept). */
  static float halfToFloat(short bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1F;
    int fraction = bits & 0x3FF;
    if (exponent == 0x1F) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7F80_0000 | fraction << 13);
    }
    if (exponent == 0) { // zero or subnormal: fraction * 2^-24
      float magnitude = fraction * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | fraction << 13);
  }

  private static ByteBuffer allocate(DType dtype, int count, int[] shape) {
    dimensions(shape, count);
    long length = (long) count * dtype.itemSize();
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          count
              + " "
              + dtype.numpyName()
              + " elements are more than one buffer holds ("
              + length
              + " bytes)");
    }
    return ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Checks {@code shape} against the number of elements; none stands for one dimension. */
  private static int[] dimensions(int[] shape, int count) {
    if (shape.length == 0) {
      return new int[] {count};
    }
    long product = 1;
    for (int dimension : shape) {
      if (dimension < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      product = Math.min(product, 1L << 31) * dimension; // clamped above any count: no overflow
    }
    if (product != count) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + (product > Integer.MAX_VALUE ? "over 2^31" : product)
              + " elements, but there are "
              + count);
    }
    return shape.clone();
  }
}
