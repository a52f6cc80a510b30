package dev.synapse.internal.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;

/**
 * One file of a region, mapped on both sides. Its name is unpredictable and it is created
 * owner-only and exclusively, so no other local user can plant or open it; its file is deleted as
 * soon as the worker has mapped it (the mappings keep the memory), and when the region closes in
 * any case.
 */
final class Segment {
  /**
   * Who writes a segment: the host (calls' inputs; the worker maps it read-write, since a handler
   * may write into an ndarray it views there), the worker, or both (arrays the host allocated for
   * its caller and lends to calls).
   */
  enum Role {
    HOST,
    WORKER,
    LENT
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  final int index;
  final Role role;
  final long size;
  final Blocks blocks;
  private final Mapping mapping;
  private volatile Path path;

  private Segment(int index, Role role, long size, Path path, Mapping mapping) {
    this.index = index;
    this.role = role;
    this.size = size;
    this.path = path;
    this.mapping = mapping;
    this.blocks = role != Role.WORKER ? new Blocks(size) : null;
  }

  /** Creates and maps a new segment file of {@code size} bytes (sparse) in {@code directory}. */
  static Segment create(Path directory, int index, Role role, long size) throws IOException {
    byte[] name = new byte[16];
    RANDOM.nextBytes(name);
    Path path = directory.resolve("synapse-" + HexFormat.of().formatHex(name));
    try (FileChannel channel =
        FileChannel.open(
            path,
            EnumSet.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      try {
        channel.write(ByteBuffer.allocate(1), size - 1); // sets the length; tmpfs stays sparse
        FileChannel.MapMode mode =
            role != Role.WORKER ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY;
        return new Segment(index, role, size, path, Mapping.map(channel, mode, size));
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(path);
        throw e;
      }
    }
  }

  /** The file's path while it exists; null once deleted. */
  Path path() {
    return path;
  }

  ByteBuffer buffer() {
    return mapping.buffer();
  }

  /** Deletes the file, if it is still there; the mappings stay. */
  void unlink() {
    Path current = path;
    path = null;
    if (current != null) {
      try {
        Files.deleteIfExists(current);
      } catch (IOException e) {
        SharedRegion.LOG.warn("Cannot delete the shared-memory file {}: {}", current, e.toString());
      }
    }
  }

  void close() {
    unlink();
    mapping.unmap();
  }
}
