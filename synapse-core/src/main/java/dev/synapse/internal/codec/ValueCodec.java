package dev.synapse.internal.codec;

import dev.synapse.EncodingException;
import dev.synapse.ProtocolException;
import java.io.IOException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Maps Java values to MessagePack and back. This is the single place that decides the value mapping
 * documented in the README; both protocols use it.
 *
 * <p>Both directions hold to the limits of {@code docs/protocol.md}: containers nest at most {@link
 * #MAX_DEPTH} levels deep, so neither direction can overflow the stack whatever it is given.
 * Encoding also refuses what the worker could not decode (see {@link ValuePacker}); decoding never
 * allocates for more bytes than the input holds (see {@link ValueUnpacker}).
 */
public final class ValueCodec {
  /**
   * The deepest nesting of containers (lists, arrays, maps, objects) a value may have, on both
   * sides: a scalar is depth 0, {@code [1, 2]} depth 1, {@code [[1]]} depth 2; extension values
   * (timestamps, ndarrays) count as scalars.
   */
  public static final int MAX_DEPTH = 512;

  private ValueCodec() {}

  /**
   * Writes {@code value} to {@code packer}.
   *
   * @throws EncodingException naming the path in the value of what has no MessagePack form or could
   *     not be decoded by the worker: an unsupported type, an integer beyond 64 bits, an unhashable
   *     map key, an {@code Instant} outside years 1..9999, a reserved or malformed extension value,
   *     a string with a lone surrogate, nesting deeper than {@link #MAX_DEPTH}, a value that
   *     contains itself
   */
  public static void pack(MessagePacker packer, Object value) throws IOException {
    ValuePacker.pack(packer, value);
  }

  /**
   * Writes {@code value} like {@link #pack(MessagePacker, Object)}, but puts binary values and
   * extension bodies of at least {@link SharedValues#threshold()} bytes into {@code shared} where
   * it has room, writing references to them instead.
   */
  public static void pack(MessagePacker packer, Object value, SharedValues shared)
      throws IOException {
    ValuePacker.pack(packer, value, shared);
  }

  /**
   * Reads one value from {@code unpacker}, with the Java types documented in the README.
   *
   * @param inputLength the number of bytes the unpacker's input holds in all; no string, binary or
   *     extension value claiming more than what is left of them is allocated for
   * @throws ProtocolException if the value nests deeper than {@link #MAX_DEPTH} or claims more
   *     bytes than the input holds
   * @throws IOException if the bytes are not MessagePack (msgpack's unchecked exceptions come out
   *     as they are)
   */
  public static Object unpack(MessageUnpacker unpacker, long inputLength) throws IOException {
    return new ValueUnpacker(unpacker, inputLength, null).read();
  }

  /**
   * Reads one value like {@link #unpack(MessageUnpacker, long)}, resolving references into {@code
   * shared} (null: a reference is a {@link ProtocolException}).
   */
  public static Object unpack(MessageUnpacker unpacker, long inputLength, SharedValues shared)
      throws IOException {
    return new ValueUnpacker(unpacker, inputLength, shared).read();
  }
}
