package dev.synapse.internal.protocol;

/**
 * Recognises, from its first bytes, a frame body that ends in one binary value (bin 32) reaching to
 * the end of the frame: a bare binary value (a seed-style answer) or {@code [type, id, bin]} (a
 * RESULT or ITEM of the envelope protocol). Such a value's bytes can be read from the pipe straight
 * into the {@code byte[]} the caller receives, which saves a full copy of a large payload.
 */
final class TrailingBinary {
  /** Enough for {@code 0x93}, the type, the largest id (9 bytes) and a bin 32 header (5 bytes). */
  static final int LONGEST_HEAD = 16;

  private static final int FIXARRAY_3 = 0x93;
  private static final int BIN_32 = 0xC6;

  private TrailingBinary() {}

  /**
   * The length of the head, up to and including the bin 32 header, if {@code start} (the first
   * {@link #LONGEST_HEAD} bytes of a body of {@code length} bytes) begins such a body of the
   * envelope protocol ({@code envelope}) or the seed protocol; else -1.
   */
  static int headLength(byte[] start, long length, boolean envelope) {
    int position = 0;
    if (envelope) {
      if ((start[0] & 0xFF) != FIXARRAY_3) {
        return -1;
      }
      int type = start[1];
      if (type != Messages.CALL_OR_RESULT && type != Messages.CREDIT_OR_ITEM) {
        return -1;
      }
      int idLength = unsignedIntLength(start[2] & 0xFF);
      if (idLength < 0) {
        return -1;
      }
      position = 2 + idLength;
    }
    if ((start[position] & 0xFF) != BIN_32) {
      return -1;
    }
    long binaryLength = 0;
    for (int i = 1; i <= 4; i++) {
      binaryLength = binaryLength << 8 | (start[position + i] & 0xFF);
    }
    int headLength = position + 5;
    return headLength + binaryLength == length ? headLength : -1;
  }

  /** The encoded length of a non-negative integer that starts with {@code first}; -1 if not one. */
  private static int unsignedIntLength(int first) {
    if (first < 0x80) {
      return 1;
    }
    return switch (first) {
      case 0xCC -> 2;
      case 0xCD -> 3;
      case 0xCE -> 5;
      case 0xCF -> 9;
      default -> -1;
    };
  }
}
