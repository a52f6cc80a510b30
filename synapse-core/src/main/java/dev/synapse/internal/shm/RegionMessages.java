package dev.synapse.internal.shm;

import dev.synapse.internal.protocol.OutboundFrame;
import java.util.List;

/** Encodes the host's messages about the region (see "Shared memory" in docs/protocol.md). */
final class RegionMessages {
  private RegionMessages() {}

  /** {@code [11, segment, path, size, role]}: role 0, the worker reads it; 1, it writes it. */
  static OutboundFrame map(Segment segment) {
    String path = segment.path().toString();
    return OutboundFrame.encode(
        packer ->
            packer
                .packArrayHeader(5)
                .packInt(SharedRegion.MAP)
                .packInt(segment.index)
                .packString(path)
                .packLong(segment.size)
                .packInt(segment.role.ordinal()),
        64 + 4 * path.length());
  }

  /** {@code [12, [segment, offset, segment, offset, ...]]}. */
  static OutboundFrame release(List<Reference> references) {
    return OutboundFrame.encode(
        packer -> {
          packer.packArrayHeader(2).packInt(SharedRegion.RELEASE);
          packer.packArrayHeader(references.size() * 2);
          for (Reference reference : references) {
            packer.packInt(reference.segment()).packLong(reference.offset());
          }
        },
        32 + 20 * references.size());
  }
}
