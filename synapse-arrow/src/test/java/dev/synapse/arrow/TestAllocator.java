package dev.synapse.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh root allocator for each test, which must read zero when the test ends: every table and
 * root the test made or received has been closed. Register it with {@code @RegisterExtension}.
 */
final class TestAllocator implements BeforeEachCallback, AfterEachCallback {
  private BufferAllocator allocator;

  @Override
  public void beforeEach(ExtensionContext context) {
    allocator = new RootAllocator();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    assertThat(allocator.getAllocatedMemory())
        .as("bytes still allocated after " + context.getDisplayName())
        .isZero();
    allocator.close(); // throws if a buffer is still open
  }

  BufferAllocator get() {
    return allocator;
  }
}
