package dev.synapse.testing;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.Synapse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Each test's own directory for shared-memory regions under {@code /dev/shm}, so that it sees every
 * file a region leaves there; after the test it checks that none is left, then removes it. Register
 * it on an instance field with {@code @RegisterExtension}.
 */
public final class RegionDirectory implements BeforeEachCallback, AfterEachCallback {
  /** Workers on Debian's python3 with msgpack's codec. */
  public static final String MSGPACK = "msgpack";

  /** Workers on Debian's python3 with msgpack hidden (the {@code without_msgpack} fixture). */
  public static final String PURE = "pure";

  private Path path;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    path = Files.createTempDirectory(Path.of("/dev/shm"), "synapse-test-");
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      awaitEmpty();
    } finally {
      for (Path file : files()) {
        Files.deleteIfExists(file);
      }
      Files.delete(path);
    }
  }

  public Path path() {
    return path;
  }

  /** The files in the directory now. */
  public List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(path)) {
      return files.toList();
    }
  }

  /** Waits until no region file is left (a closed region's files go a moment after it ends). */
  public void awaitEmpty() {
    Awaitility.await("no region file left in " + path)
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(files()).isEmpty());
  }

  /** A builder whose workers keep their regions here and run with {@code codec}. */
  public Synapse.Builder builder(String codec) {
    Synapse.Builder builder = Fixtures.builder(DEBIAN_PYTHON).sharedMemoryDirectory(path);
    if (codec.equals(PURE)) {
      builder.environment("PYTHONPATH", module("without_msgpack").toString());
    }
    return builder;
  }
}
