package dev.synapse.internal.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a segment is mapped and unmapped on the running JDK (17: by the collector; 22+: at once). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MappingTest {
  @Test
  void theForeignMemoryApiUnmaps_whereTheRuntimeHasIt() {
    assertThat(Mapping.unmapsAtOnce()).isEqualTo(Runtime.version().feature() >= 22);
  }

  @Test
  void aClosedSegment_isDeletedAndRefusesAccess(@TempDir Path directory) throws IOException {
    Segment segment = Segment.create(directory, 0, Segment.Role.HOST, 1 << 20);
    ByteBuffer buffer = segment.buffer();
    buffer.put(123, (byte) 7);
    assertThat(buffer.get(123)).isEqualTo((byte) 7);
    assertThat(buffer.capacity()).isEqualTo(1 << 20);

    segment.close();

    assertThat(directory).isEmptyDirectory();
    assertThatThrownBy(segment::buffer).isInstanceOf(IllegalStateException.class);
    if (Mapping.unmapsAtOnce()) {
      // unmapped already: a late access fails instead of reading unmapped memory
      assertThatThrownBy(() -> buffer.get(123)).isInstanceOf(IllegalStateException.class);
    }
  }
}
