package dev.synapse.internal.shm;

import dev.synapse.internal.codec.SharedValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The body of a shared-memory reference (ext type 3): the MessagePack array {@code [code, segment,
 * offset, length]}, with {@code code} nil for a binary value or the extension type code whose body
 * the bytes are; or, for a view (an ndarray of the explicit API, whose block the receiver views
 * instead of copying), {@code [1, segment, offset, length, [dtype, shape]]}, the bytes being only
 * the array's data.
 *
 * @param header the encoded {@code [dtype, shape]} of a view; null for a value to copy
 */
record Reference(int code, int segment, long offset, long length, byte[] header) {
  Reference(int code, int segment, long offset, long length) {
    this(code, segment, offset, length, null);
  }

  byte[] encode() {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(header == null ? 4 : 5);
      if (code == SharedValues.BINARY) {
        packer.packNil();
      } else {
        packer.packInt(code);
      }
      packer.packInt(segment).packLong(offset).packLong(length);
      if (header != null) {
        packer.writePayload(header); // already MessagePack
      }
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // packing to memory
    }
  }

  /**
   * Reads a reference body.
   *
   * @throws BadReference if it is not one
   */
  static Reference decode(byte[] body) {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(body)) {
      if (unpacker.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw bad(body);
      }
      int elements = unpacker.unpackArrayHeader();
      if (elements != 4 && elements != 5) {
        throw bad(body);
      }
      int code;
      if (unpacker.getNextFormat() == MessageFormat.NIL) {
        unpacker.unpackNil();
        code = SharedValues.BINARY;
      } else {
        code = (int) integer(unpacker, body, Byte.MIN_VALUE, Byte.MAX_VALUE);
      }
      int segment = (int) integer(unpacker, body, 0, Integer.MAX_VALUE);
      long offset = integer(unpacker, body, 0, Long.MAX_VALUE);
      long length = integer(unpacker, body, 0, Long.MAX_VALUE);
      byte[] header = null;
      if (elements == 5) {
        if (unpacker.getNextFormat().getValueType() != ValueType.ARRAY) {
          throw bad(body);
        }
        int start = (int) unpacker.getTotalReadBytes();
        unpacker.skipValue();
        header = Arrays.copyOfRange(body, start, (int) unpacker.getTotalReadBytes());
      }
      if (unpacker.hasNext()) {
        throw bad(body);
      }
      return new Reference(code, segment, offset, length, header);
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadReference bad) {
        throw bad;
      }
      throw bad(body);
    }
  }

  private static long integer(MessageUnpacker unpacker, byte[] body, long least, long most)
      throws IOException {
    if (unpacker.getNextFormat().getValueType() != ValueType.INTEGER) {
      throw bad(body);
    }
    long value = unpacker.unpackLong();
    if (value < least || value > most) {
      throw bad(body);
    }
    return value;
  }

  private static BadReference bad(byte[] body) {
    return new BadReference(
        "The worker sent a malformed shared-memory reference of " + body.length + " bytes");
  }
}
