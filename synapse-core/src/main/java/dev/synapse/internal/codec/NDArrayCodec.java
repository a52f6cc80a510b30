package dev.synapse.internal.codec;

import dev.synapse.DType;
import dev.synapse.NDArray;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * The {@code ndarray} MessagePack extension (type 1, specified in {@code docs/protocol.md}): a
 * header, the MessagePack array {@code [type string, [dimensions...]]}, then the elements' raw
 * little-endian bytes in C order.
 *
 * <p>Why it looks the way it does: large arrays are the reason the format exists, so neither
 * direction copies their bytes more than it must. Encoding hands the array's own heap buffer to the
 * packer ({@code addPayload}), which references it until the frame is written. Decoding slices the
 * received frame ({@code readPayloadAsReference}) instead of copying the bytes out of it; the price
 * is that the array keeps the whole frame reachable, so a small array in a frame that is mostly
 * something else is copied instead (see {@link #SHARE_FRACTION}).
 *
 * <p>{@link NDArray} hands out only read-only views of its buffer, which would force a copy here;
 * its own buffer comes from its package-private {@code rawBytes()}, looked up once through a
 * private lookup (allowed inside the module), so that {@code NDArray} knows nothing of this class.
 */
public final class NDArrayCodec {
  /** The extension type code of an ndarray. */
  public static final byte EXT_TYPE = 1;

  /** Arrays shorter than this are copied into the packer's buffer rather than referenced by it. */
  private static final int REFERENCE_THRESHOLD = 8 * 1024;

  /**
   * A decoded array shares the frame only if it is at least this fraction of it (and not small).
   */
  private static final int SHARE_FRACTION = 8;

  private static final int MAX_DIMENSIONS = 64;

  private static final MethodHandle RAW_BYTES = rawBytesAccess();

  private NDArrayCodec() {}

  private static MethodHandle rawBytesAccess() {
    try {
      return MethodHandles.privateLookupIn(NDArray.class, MethodHandles.lookup())
          .findVirtual(NDArray.class, "rawBytes", MethodType.methodType(ByteBuffer.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static ByteBuffer rawBytes(NDArray array) {
    try {
      return (ByteBuffer) RAW_BYTES.invokeExact(array);
    } catch (Throwable e) { // rawBytes() throws nothing
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code array} as one ndarray extension value. */
  public static void pack(MessagePacker packer, NDArray array) throws IOException {
    byte[] header = header(array);
    ByteBuffer data = rawBytes(array);
    int length = data.remaining();
    packer.packExtensionTypeHeader(EXT_TYPE, header.length + length);
    packer.writePayload(header);
    if (data.hasArray()) {
      int offset = data.arrayOffset() + data.position();
      if (length >= REFERENCE_THRESHOLD) {
        packer.addPayload(data.array(), offset, length);
      } else {
        packer.writePayload(data.array(), offset, length);
      }
    } else { // a wrapped direct or read-only buffer
      byte[] chunk = new byte[Math.min(length, 64 * 1024)];
      while (data.hasRemaining()) {
        int count = Math.min(chunk.length, data.remaining());
        data.get(chunk, 0, count);
        packer.writePayload(chunk, 0, count);
      }
    }
  }

  /**
   * Writes {@code array} as a reference to its ext body placed in shared memory, if the packing has
   * a region with room for it; false if nothing was written.
   */
  static boolean packShared(MessagePacker packer, NDArray array) throws IOException {
    ByteBuffer data = rawBytes(array); // fails for a closed array
    if (array.isShared() && ValuePacker.packLent(packer, array, header(array))) {
      return true;
    }
    if (data.remaining() < SharedValues.MIN_THRESHOLD) {
      return false;
    }
    return ValuePacker.packShared(packer, EXT_TYPE, header(array), data.duplicate());
  }

  private static byte[] header(NDArray array) throws IOException {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      int[] shape = array.shape();
      packer
          .packArrayHeader(2)
          .packString(array.dtype().typeString())
          .packArrayHeader(shape.length);
      for (int dimension : shape) {
        packer.packInt(dimension);
      }
      return packer.toByteArray();
    }
  }

  /**
   * Reads the payload of an ndarray extension value of {@code length} bytes, whose header {@code
   * unpacker} has just read.
   *
   * @throws IOException if the payload is not a valid ndarray (an unknown dtype, a bad shape, a
   *     data length that does not match them)
   */
  public static NDArray unpack(MessageUnpacker unpacker, int length) throws IOException {
    MessageBuffer payload = unpacker.readPayloadAsReference(length);
    boolean inFrame = payload.hasArray();
    byte[] frame = inFrame ? payload.array() : payload.toByteArray();
    int offset = inFrame ? payload.arrayOffset() : 0;
    Header header = Header.read(frame, offset, length);
    int dataLength = length - header.length;
    if (inFrame
        && (dataLength < REFERENCE_THRESHOLD || dataLength < frame.length / SHARE_FRACTION)) {
      byte[] data = Arrays.copyOfRange(frame, offset + header.length, offset + length);
      return header.array(ByteBuffer.wrap(data));
    }
    return header.array(ByteBuffer.wrap(frame, offset + header.length, dataLength));
  }

  /**
   * An array over the data of {@code body}, a whole ndarray extension payload that nothing else
   * holds (one copied out of shared memory): its bytes are not copied again.
   *
   * @throws IOException if the payload is not a valid ndarray
   */
  public static NDArray unpack(byte[] body) throws IOException {
    Header header = Header.read(body, 0, body.length);
    return header.array(ByteBuffer.wrap(body, header.length, body.length - header.length));
  }

  /**
   * An array over {@code data} (not copied), whose dtype and shape the encoded {@code [dtype,
   * shape]} {@code header} gives.
   *
   * @throws IOException if the header is invalid or does not match the data's length
   */
  public static NDArray view(byte[] header, ByteBuffer data) throws IOException {
    return Header.read(header, 0, header.length, data.remaining()).array(data);
  }

  /**
   * Checks that {@code data} is a valid ndarray payload, as the extension value of type {@link
   * #EXT_TYPE} that a caller built by hand must be.
   *
   * @throws IOException saying what is wrong with it
   */
  public static void validate(byte[] data) throws IOException {
    Header.read(data, 0, data.length);
  }

  /** The {@code [dtype, shape]} header of a payload whose data length matches it. */
  private record Header(DType dtype, int[] shape, int length) {
    /** An array of this dtype and shape over {@code data}, which holds just its elements. */
    NDArray array(ByteBuffer data) {
      NDArray array = NDArray.wrap(dtype, data, shape.length == 0 ? new int[] {1} : shape);
      return shape.length == 0 ? array.reshape() : array;
    }

    static Header read(byte[] frame, int offset, int length) throws IOException {
      return read(frame, offset, length, -1);
    }

    /**
     * The header at the start of {@code length} bytes, for {@code dataLength} bytes of data (-1:
     * the rest).
     */
    static Header read(byte[] frame, int offset, int length, long dataLength) throws IOException {
      DType dtype;
      int[] shape;
      int headerLength;
      try (MessageUnpacker header = MessagePack.newDefaultUnpacker(frame, offset, length)) {
        if (header.unpackArrayHeader() != 2) {
          throw new IOException("An ndarray extension value without its [dtype, shape] header");
        }
        String typeString = header.unpackString();
        try {
          dtype = DType.ofTypeString(typeString);
        } catch (IllegalArgumentException e) {
          throw new IOException(
              "An ndarray extension value of the unknown dtype \"" + typeString + "\"", e);
        }
        int dimensions = header.unpackArrayHeader();
        if (dimensions > MAX_DIMENSIONS) {
          throw new IOException("An ndarray extension value of " + dimensions + " dimensions");
        }
        shape = new int[dimensions];
        for (int i = 0; i < dimensions; i++) {
          long dimension = header.unpackLong();
          if (dimension < 0 || dimension > Integer.MAX_VALUE) {
            throw new IOException("An ndarray extension value with the dimension " + dimension);
          }
          shape[i] = (int) dimension;
        }
        headerLength = (int) header.getTotalReadBytes();
      } catch (RuntimeException e) { // msgpack's exceptions for a truncated or mistyped header
        throw new IOException(
            "An ndarray extension value with a malformed header: " + e.getMessage(), e);
      }
      if (dataLength < 0) {
        dataLength = length - headerLength;
      }
      long expected = dtype.itemSize();
      for (int dimension : shape) {
        expected = Math.min(expected, 1L << 32) * dimension;
      }
      if (expected != dataLength) {
        throw new IOException(
            "An ndarray extension value of dtype "
                + dtype.numpyName()
                + " and shape "
                + Arrays.toString(shape)
                + " holds "
                + dataLength
                + " bytes of data instead of "
                + expected);
      }
      return new Header(dtype, shape, headerLength);
    }
  }
}
