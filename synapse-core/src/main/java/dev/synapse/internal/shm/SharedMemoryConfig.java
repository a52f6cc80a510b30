package dev.synapse.internal.shm;

import java.nio.file.Path;

/**
 * How a worker's shared-memory region is set up (see {@code SharedRegion}).
 *
 * @param enabled whether large values may travel through shared memory at all
 * @param threshold values of at least this many encoded bytes travel through the region
 * @param directory where segment files are made; null for {@link #DEFAULT_DIRECTORY}
 * @param maxBytes the most all segments of one worker may add up to
 */
public record SharedMemoryConfig(boolean enabled, int threshold, Path directory, long maxBytes) {
  /** The tmpfs of Linux, where a file is memory and nothing else. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");

  /** The default threshold: 1 MiB. */
  public static final int DEFAULT_THRESHOLD = 1024 * 1024;

  /** The default most a worker's region may grow to: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** The defaults: enabled, 1 MiB, {@code /dev/shm}, 1 GiB. */
  public static final SharedMemoryConfig DEFAULT =
      new SharedMemoryConfig(true, DEFAULT_THRESHOLD, null, DEFAULT_MAX_BYTES);

  /** The size of a worker's first segment in each direction; sparse until it is used. */
  static final long FIRST_SEGMENT_BYTES = 64L * 1024 * 1024;

  /** The largest segment: a mapped buffer holds at most 2 GiB. */
  static final long MAX_SEGMENT_BYTES = 1L << 30;

  /** The directory to use. */
  public Path directoryOrDefault() {
    return directory != null ? directory : DEFAULT_DIRECTORY;
  }
}
