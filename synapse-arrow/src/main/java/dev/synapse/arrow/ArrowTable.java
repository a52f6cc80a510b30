package dev.synapse.arrow;

import dev.synapse.ExtensionValue;
import dev.synapse.SynapseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A table of Arrow record batches that share one schema, with the dictionaries of its
 * dictionary-encoded columns: what a worker's {@code pyarrow.Table}, {@code RecordBatch} or pandas
 * {@code DataFrame} answer becomes in Java, and a call input that becomes a {@code pyarrow.Table}
 * in Python (extension code 2, the Arrow IPC stream format; see {@code docs/protocol.md}).
 *
 * <p>The batches are kept as they came, one {@link VectorSchemaRoot} each, so a table of many
 * batches costs no concatenation; {@link #rowCount()} is their sum. A table with no batches still
 * has its schema (an empty result).
 *
 * <p><b>Ownership.</b> A table owns its batches and dictionaries, and {@link #close()} releases
 * them: close every table (try-with-resources), or its off-heap memory stays allocated. A table
 * made with {@link #of} takes over the roots and dictionaries it is given. Reading from answers:
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator();
 *     ArrowTable scored = ArrowTable.read(synapse.invoke("score", input), allocator)) {
 *   for (VectorSchemaRoot batch : scored) { ... }
 * }
 * }</pre>
 *
 * <p>or {@code synapse.invoke("score", input, ArrowTable.class)}, which reads into {@link
 * ArrowValues#allocator()}. A table is not thread-safe: one thread at a time, as for its roots.
 */
public final class ArrowTable implements AutoCloseable, Iterable<VectorSchemaRoot> {
  /** The extension code of an Arrow table on the wire. */
  public static final byte EXT_CODE = 2;

  private final Schema schema;
  private final List<VectorSchemaRoot> batches;
  private final DictionaryProvider.MapDictionaryProvider dictionaries;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ArrowTable(
      Schema schema,
      List<VectorSchemaRoot> batches,
      DictionaryProvider.MapDictionaryProvider dictionaries) {
    this.schema = schema;
    this.batches = List.copyOf(batches);
    this.dictionaries = dictionaries;
  }

  /**
   * A table of {@code batches} (at least one) and no dictionaries; it takes them over.
   *
   * @throws IllegalArgumentException if the batches do not share one schema
   */
  public static ArrowTable of(VectorSchemaRoot... batches) {
    if (batches.length == 0) {
      throw new IllegalArgumentException(
          "A table of no batches needs its schema: use of(schema, batches, dictionaries)");
    }
    return of(batches[0].getSchema(), List.of(batches), List.of());
  }

  /**
   * A table of {@code schema}, {@code batches} (any number) and the {@code dictionaries} of its
   * dictionary-encoded columns; it takes over the batches and the dictionaries.
   *
   * @throws IllegalArgumentException if a batch has another schema, or two dictionaries share an id
   */
  public static ArrowTable of(
      Schema schema, List<VectorSchemaRoot> batches, Collection<Dictionary> dictionaries) {
    Objects.requireNonNull(schema, "schema");
    int index = 0;
    for (VectorSchemaRoot batch : batches) {
      if (!batch.getSchema().equals(schema)) {
        throw new IllegalArgumentException(
            "Batch "
                + index
                + " has the schema "
                + batch.getSchema()
                + ", not the table's "
                + schema);
      }
      index++;
    }
    DictionaryProvider.MapDictionaryProvider provider =
        new DictionaryProvider.MapDictionaryProvider();
    for (Dictionary dictionary : dictionaries) {
      long id = dictionary.getEncoding().getId();
      if (provider.lookup(id) != null) {
        throw new IllegalArgumentException("Two dictionaries have the id " + id);
      }
      provider.put(dictionary);
    }
    return new ArrowTable(schema, batches, provider);
  }

  /**
   * Reads an answer that holds an Arrow table (an {@link ExtensionValue} of code {@value
   * #EXT_CODE}, or the bytes of an Arrow IPC stream) into buffers of {@code allocator}. The caller
   * owns the table and closes it; a failure leaves nothing allocated.
   *
   * @throws SynapseException if {@code answer} is neither, or its bytes are not an Arrow IPC stream
   */
  public static ArrowTable read(Object answer, BufferAllocator allocator) {
    Objects.requireNonNull(allocator, "allocator");
    if (answer instanceof ExtensionValue ext && ext.type() == EXT_CODE) {
      return ArrowIpc.read(ext.data(), allocator);
    } else if (answer instanceof byte[] bytes) {
      return ArrowIpc.read(bytes, allocator);
    }
    throw new SynapseException(
        "The answer is not an Arrow table: "
            + (answer == null ? "null" : "a " + answer.getClass().getName())
            + (answer instanceof ExtensionValue ext ? " of code " + ext.type() : "")
            + " (a worker returns a table as a pyarrow Table, RecordBatch or pandas DataFrame)");
  }

  /** Made by the IPC reader, which hands over batches and dictionaries it allocated. */
  static ArrowTable owning(
      Schema schema,
      List<VectorSchemaRoot> batches,
      DictionaryProvider.MapDictionaryProvider dictionaries) {
    return new ArrowTable(schema, batches, dictionaries);
  }

  /** The schema every batch has (dictionary-encoded columns with their index type). */
  public Schema schema() {
    return schema;
  }

  /** The batches, in order; unmodifiable. */
  public List<VectorSchemaRoot> batches() {
    checkOpen();
    return batches;
  }

  /** The batches, in order. */
  @Override
  public Iterator<VectorSchemaRoot> iterator() {
    return batches().iterator();
  }

  /** The number of rows of all batches. */
  public long rowCount() {
    long rows = 0;
    for (VectorSchemaRoot batch : batches) {
      rows += batch.getRowCount();
    }
    return rows;
  }

  /** The dictionaries of the dictionary-encoded columns, by their ids; empty if there are none. */
  public DictionaryProvider dictionaries() {
    checkOpen();
    return dictionaries;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("The table is closed");
    }
  }

  /** Releases the batches and dictionaries; idempotent. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    List<AutoCloseable> owned = new ArrayList<>(batches);
    for (long id : dictionaries.getDictionaryIds()) {
      owned.add(dictionaries.lookup(id).getVector());
    }
    try {
      AutoCloseables.close(owned);
    } catch (Exception e) { // vectors throw nothing checked; keep close() free of checked ones
      throw new IllegalStateException("Could not release the table's buffers", e);
    }
  }

  @Override
  public String toString() {
    return "ArrowTable["
        + batches.size()
        + " batches, "
        + (closed.get() ? "closed" : rowCount() + " rows")
        + ", "
        + schema
        + "]";
  }
}
