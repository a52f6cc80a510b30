package dev.synapse.internal.shm;

import dev.synapse.internal.codec.SharedValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The body of a shared-memory reference (ext type 3): the MessagePack array {@code [code, segment,
 * offset, length]}, with {@code code} nil for a binary value or the extension type code whose body
 * the bytes are.
 */
record Reference(int code, int segment, long offset, long length) {
  byte[] encode() {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(4);
      if (code == SharedValues.BINARY) {
        packer.packNil();
      } else {
        packer.packInt(code);
      }
      packer.packInt(segment).packLong(offset).packLong(length);
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
      if (unpacker.getNextFormat().getValueType() != ValueType.ARRAY
          || unpacker.unpackArrayHeader() != 4) {
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
      if (unpacker.hasNext()) {
        throw bad(body);
      }
      return new Reference(code, segment, offset, length);
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
