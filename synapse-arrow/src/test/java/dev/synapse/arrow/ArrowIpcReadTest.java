package dev.synapse.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SynapseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading IPC streams: several batches, none, dictionaries, a truncated body. */
@Timeout(60)
class ArrowIpcReadTest {
  @RegisterExtension final TestAllocator allocator = new TestAllocator();

  @Test
  void severalBatches_includingAnEmptyOne_readAsTheyWereWritten() throws IOException {
    List<String> written = new ArrayList<>();
    byte[] stream;
    try (VectorSchemaRoot root = root(allocator.get())) {
      stream = writeBatches(root, written, 3, 0, 1000);
    }
    try (ArrowTable table = ArrowIpc.read(stream, allocator.get())) {
      assertThat(table.batches())
          .extracting(VectorSchemaRoot::getRowCount)
          .containsExactly(3, 0, 1000);
      assertThat(table.batches())
          .extracting(VectorSchemaRoot::contentToTSVString)
          .containsExactlyElementsOf(written);
    }
  }

  @Test
  void aSchemaWithoutBatches_isAnEmptyTable() throws IOException {
    byte[] stream;
    try (VectorSchemaRoot root = root(allocator.get())) {
      stream = writeBatches(root, new ArrayList<>());
    }
    try (ArrowTable table = ArrowIpc.read(stream, allocator.get())) {
      assertThat(table.batches()).isEmpty();
      assertThat(table.schema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("id", "x", "s");
    }
  }

  @Test
  void dictionaryEncodedColumns_comeWithTheirDictionaries() throws IOException {
    BufferAllocator memory = allocator.get();
    byte[] stream;
    DictionaryEncoding encoding = new DictionaryEncoding(7L, false, null);
    try (VarCharVector words = new VarCharVector("words", memory);
        VarCharVector column = new VarCharVector("s", memory)) {
      fill(words, "a", "b");
      fill(column, "b", "a", "b");
      Dictionary dictionary = new Dictionary(words, encoding);
      try (FieldVector encoded = (FieldVector) DictionaryEncoder.encode(column, dictionary);
          VectorSchemaRoot root = VectorSchemaRoot.of(encoded)) {
        DictionaryProvider.MapDictionaryProvider provider =
            new DictionaryProvider.MapDictionaryProvider(dictionary);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowStreamWriter writer = new ArrowStreamWriter(root, provider, out)) {
          writer.start();
          writer.writeBatch();
          writer.end();
        }
        stream = out.toByteArray();
      }
    }
    try (ArrowTable table = ArrowIpc.read(stream, memory)) {
      assertThat(table.dictionaries().getDictionaryIds()).containsExactly(7L);
      assertThat(table.batches().get(0).getRowCount()).isEqualTo(3);
    }
  }

  @Test
  void aTruncatedBody_isATypedError_andNothingStaysAllocated() throws IOException {
    byte[] stream;
    try (VectorSchemaRoot root = root(allocator.get())) {
      stream = writeBatches(root, new ArrayList<>(), 10, 1000);
    }
    byte[] cut = Arrays.copyOf(stream, stream.length - 2000);
    assertThatThrownBy(() -> ArrowIpc.read(cut, allocator.get()))
        .isInstanceOf(SynapseException.class)
        .hasMessageContaining("extension code 2");
  }

  private static VectorSchemaRoot root(BufferAllocator allocator) {
    return VectorSchemaRoot.of(
        new BigIntVector("id", allocator),
        new Float8Vector("x", allocator),
        new VarCharVector("s", allocator));
  }

  /** Writes one batch of each row count, recording each batch's content. */
  private static byte[] writeBatches(VectorSchemaRoot root, List<String> written, int... rowCounts)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
      writer.start();
      int first = 0;
      for (int rows : rowCounts) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        Float8Vector x = (Float8Vector) root.getVector("x");
        VarCharVector s = (VarCharVector) root.getVector("s");
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
          id.setSafe(i, first + i);
          if (i % 7 == 0) {
            x.setNull(i);
          } else {
            x.setSafe(i, (first + i) * 0.5);
          }
          s.setSafe(i, ("row " + (first + i)).getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(rows);
        written.add(root.contentToTSVString());
        writer.writeBatch();
        first += rows;
      }
      writer.end();
    }
    return out.toByteArray();
  }

  private static void fill(VarCharVector vector, String... values) {
    vector.allocateNew();
    for (int i = 0; i < values.length; i++) {
      vector.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    vector.setValueCount(values.length);
  }
}
