package dev.synapse;

/**
 * The element types of an {@link NDArray}: the numpy dtypes that cross the boundary as raw bytes.
 * Complex, string, object, datetime and structured dtypes do not; neither does {@code longdouble}.
 *
 * <p>Each constant knows numpy's name for it ({@code "float64"}), the type string that the wire
 * format carries (numpy's {@code dtype.str} of the little-endian dtype, {@code "<f8"}) and its
 * size.
 */
public enum DType {
  /** numpy {@code bool}: one byte, 0 or 1. */
  BOOL("bool", "|b1", 1),
  /** numpy {@code int8}. */
  INT8("int8", "|i1", 1),
  /** numpy {@code int16}. */
  INT16("int16", "<i2", 2),
  /** numpy {@code int32}. */
  INT32("int32", "<i4", 4),
  /** numpy {@code int64}. */
  INT64("int64", "<i8", 8),
  /** numpy {@code uint8}. */
  UINT8("uint8", "|u1", 1),
  /** numpy {@code uint16}. */
  UINT16("uint16", "<u2", 2),
  /** numpy {@code uint32}. */
  UINT32("uint32", "<u4", 4),
  /** numpy {@code uint64}. */
  UINT64("uint64", "<u8", 8),
  /** numpy {@code float16} (IEEE 754 binary16). */
  FLOAT16("float16", "<f2", 2),
  /** numpy {@code float32}. */
  FLOAT32("float32", "<f4", 4),
  /** numpy {@code float64}. */
  FLOAT64("float64", "<f8", 8);

  private final String numpyName;
  private final String typeString;
  private final int itemSize;

  DType(String numpyName, String typeString, int itemSize) {
    this.numpyName = numpyName;
    this.typeString = typeString;
    this.itemSize = itemSize;
  }

  /** numpy's name of the dtype, e.g. {@code "float64"}. */
  public String numpyName() {
    return numpyName;
  }

  /**
   * The dtype as the wire format writes it: numpy's little-endian type string, e.g. {@code "<f8"}.
   */
  public String typeString() {
    return typeString;
  }

  /** The size of one element in bytes. */
  public int itemSize() {
    return itemSize;
  }

  /**
   * The dtype whose {@link #typeString()} is {@code typeString}.
   *
   * @throws IllegalArgumentException if there is none
   */
  public static DType ofTypeString(String typeString) {
    for (DType dtype : values()) {
      if (dtype.typeString.equals(typeString)) {
        return dtype;
      }
    }
    throw new IllegalArgumentException("No DType has the type string " + typeString);
  }
}
