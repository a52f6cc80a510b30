package dev.synapse.internal.shm;

/**
 * The array for a large value the worker announced (PLACING) before it copied the value into its
 * segment. Made when the announcement arrives, it is zeroed by the JVM while the worker is still
 * copying, instead of after the answer has come; the frame that holds the value then copies into
 * it.
 *
 * <p>An announcement is only a hint: a worker may announce a value that never comes, or one of
 * another size. So one array at most is kept, the first announced (a frame with several large
 * values uses it for the first, and makes the others as it reads them), only until the next frame
 * has been decoded, and only up to a quarter of the heap's maximum. The reader thread's.
 */
final class AnnouncedValue {
  private static final long LARGEST = Runtime.getRuntime().maxMemory() / 4;

  private byte[] array;

  /**
   * The worker is copying a value of {@code length} bytes into a segment of at most {@code
   * largestSegment} bytes.
   */
  void expect(long length, long largestSegment) {
    if (array != null
        || length <= 0
        || length > largestSegment
        || length > LARGEST
        || length > Integer.MAX_VALUE - 8) {
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
