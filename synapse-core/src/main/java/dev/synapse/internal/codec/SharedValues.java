package dev.synapse.internal.codec;

import dev.synapse.NDArray;
import java.nio.ByteBuffer;

/**
 * Where large values go instead of the frame: the shared-memory region of one worker (see "Shared
 * memory" in {@code docs/protocol.md}). A value that goes there is written to the frame as an
 * extension value of type {@link #EXT_TYPE}, a reference, whose body only the region can read.
 */
public interface SharedValues {
  /** The extension type code of a reference into the region. */
  byte EXT_TYPE = 3;

  /** The code of a referenced binary value, as opposed to the body of an extension value. */
  int BINARY = Integer.MIN_VALUE;

  /** The least {@link #threshold()} there may be. */
  int MIN_THRESHOLD = 64 * 1024;

  /**
   * Encoded values of at least this many bytes (never less than {@link #MIN_THRESHOLD}) are offered
   * to {@link #place}.
   */
  int threshold();

  /**
   * Copies {@code head} then the remaining bytes of {@code data} into the region.
   *
   * @param code {@link #BINARY}, or the extension type code whose body these bytes are
   * @return the body of the reference to write instead, or null if the region has no room (the
   *     value then travels in the frame)
   */
  byte[] place(int code, byte[] head, ByteBuffer data);

  /**
   * The body of a reference that lends {@code array}, which the caller allocated in this region, to
   * the call as a view instead of a copy.
   *
   * @param header the array's encoded {@code [dtype, shape]}
   * @return null if the array is not in this region (it is then copied)
   */
  default byte[] lend(NDArray array, byte[] header) {
    return null;
  }

  /**
   * Reads the value a reference body names, copied out of the region (or, for a view, over it).
   *
   * @throws dev.synapse.ProtocolException if the reference is malformed or reaches outside the
   *     region
   */
  Referenced read(byte[] body);

  /**
   * The bytes a reference named.
   *
   * @param code {@link #BINARY} or an extension type code
   * @param view the decoded value when the reference was a view (its bytes are then null)
   */
  record Referenced(int code, byte[] bytes, Object view) {
    public Referenced(int code, byte[] bytes) {
      this(code, bytes, null);
    }
  }
}
