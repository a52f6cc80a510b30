package dev.synapse.arrow;

import dev.synapse.ValueExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Arrow tables as Synapse values, extension code {@value ArrowTable#EXT_CODE}; found by Synapse
 * through {@link java.util.ServiceLoader}, so having {@code synapse-arrow} on the class or module
 * path is all it takes.
 *
 * <ul>
 *   <li><b>Inputs:</b> a {@link VectorSchemaRoot} (one batch, its columns not dictionary-encoded)
 *       or an {@link ArrowTable} (any number of batches, with dictionaries), anywhere in a call's
 *       input, even inside a map or list. The caller keeps ownership: Synapse reads the buffers
 *       while it encodes the call, before {@code call} or {@code callAsync} returns, and does not
 *       close them.
 *   <li><b>Answers</b> arrive as {@link dev.synapse.ExtensionValue}s of code 2 (bytes on the heap,
 *       nothing off-heap). Ask for the type to get them read: {@code call(input, ArrowTable.class)}
 *       gives the batches as they came; {@code call(input, VectorSchemaRoot.class)} one root with
 *       them concatenated (copied; not for dictionary-encoded columns). Both are read into {@link
 *       #allocator()}; to use an allocator of your own (a limit, your own accounting), take the
 *       untyped answer and {@link ArrowTable#read(Object, BufferAllocator)} it. Whoever gets the
 *       table or root closes it.
 * </ul>
 *
 * <p>Thread-safe; stateless apart from the shared allocator.
 */
public final class ArrowValues implements ValueExtension {
  /** Created by the {@link java.util.ServiceLoader}; applications need no instance. */
  public ArrowValues() {}

  private static final class Shared {
    static final BufferAllocator ALLOCATOR = new RootAllocator();
  }

  /**
   * The allocator typed calls read answers into, and which stages the batches of an {@link
   * ArrowTable} input while it is written: a {@link RootAllocator} without limit, for the life of
   * the class loader. Its {@code getAllocatedMemory()} is the memory of the tables and roots not
   * yet closed.
   */
  public static BufferAllocator allocator() {
    return Shared.ALLOCATOR;
  }

  @Override
  public byte code() {
    return ArrowTable.EXT_CODE;
  }

  @Override
  public boolean encodes(Object value) {
    return value instanceof VectorSchemaRoot || value instanceof ArrowTable;
  }

  @Override
  public ByteBuffer encode(Object value) throws IOException {
    if (value instanceof VectorSchemaRoot root) {
      return ArrowIpc.write(root);
    }
    ArrowTable table = (ArrowTable) value;
    if (table.isClosed()) {
      throw new IllegalArgumentException("the ArrowTable is closed");
    }
    return ArrowIpc.write(table, allocator());
  }

  @Override
  public boolean decodesTo(Class<?> type) {
    return type == ArrowTable.class || type == VectorSchemaRoot.class;
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    ArrowTable table = ArrowIpc.read(body, allocator());
    if (type == VectorSchemaRoot.class) {
      return type.cast(ArrowIpc.concatenate(table, allocator()));
    }
    return type.cast(table);
  }
}
