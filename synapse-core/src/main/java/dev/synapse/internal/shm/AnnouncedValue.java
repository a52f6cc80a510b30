package dev.synapse.internal.shm;

/**
 * The array for a large value the worker announced (PLACING) before it copied the value into its
 * segment. Made when the announcement arrives, it is zeroed by the JVM while the worker is still
 * copying, instead of after the answer has come; the frame that holds the value then copies into
 * it. At most one is kept, and only until the next frame has been decoded: an announcement is a
 * hint, which a worker may send for a value that never comes or of any size, and which never fails
 * anything. The reader thread's.
 */
final class AnnouncedValue {
  private byte[] array;

  /**
   * The worker is copying a value of {@code length} bytes into a segment of at most {@code
   * largestSegment} bytes.
   */
  void expect(long length, long largestSegment) {
    array = null;
    if (length <= 0 || length > largestSegment || length > Integer.MAX_VALUE - 8) {
      return;
    }
    try {
      array = new byte[(int) length];
    } catch (OutOfMemoryError e) { // only a head start: the value is allocated again when read
      array = null;
    }
  }

  /** An array of {@code length} bytes to copy a value into: the announced one if it fits. */
  byte[] take(int length) {
    byte[] taken = array;
    if (taken != null && taken.length == length) {
      array = null;
      return taken;
    }
    return new byte[length];
  }

  /** Drops an announced array that was not taken. */
  void forget() {
    array = null;
  }
}
