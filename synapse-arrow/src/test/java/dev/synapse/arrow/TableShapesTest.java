package dev.synapse.arrow;

import static dev.synapse.arrow.TableWorkers.MSGPACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.ExtensionValue;
import dev.synapse.Synapse;
import dev.synapse.SynapseException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tables of every shape: empty, of many batches, record batches and pandas DataFrames from Python,
 * pandas input; a worker without pyarrow; bad bodies. Every allocator reads zero after.
 */
@Timeout(120)
class TableShapesTest {
  private static Synapse tables;

  @RegisterExtension final TestAllocator allocators = new TestAllocator();

  @BeforeAll
  @Timeout(900) // the first build makes the venv
  static void spawn() {
    tables = TableWorkers.tables(MSGPACK);
  }

  @AfterAll
  static void close() {
    TableWorkers.closeAll(tables);
  }

  @Test
  void anEmptyTableKeepsItsSchema_bothWays() {
    try (ArrowTable empty = ArrowTable.read(tables.invoke("empty", null), allocators.get())) {
      assertThat(empty.rowCount()).isZero();
      assertThat(empty.schema().getFields()).hasSizeGreaterThan(30);
      assertThat(tables.invoke("num_rows", empty)).isEqualTo(0L);
      Map<?, ?> seen = (Map<?, ?>) tables.invoke("schema_of", empty);
      assertThat((String) seen.get("schema"))
          .contains("ts_ms_paris: timestamp[ms, tz=Europe/Paris]");
    }
    try (VectorSchemaRoot none = Batches.wide(allocators.get(), 0)) {
      assertThat(tables.invoke("num_rows", none)).isEqualTo(0L);
      try (ArrowTable back = ArrowTable.read(tables.invoke("echo", none), allocators.get())) {
        assertThat(back.rowCount()).isZero();
        assertThat(back.schema()).isEqualTo(none.getSchema());
      }
    }
  }

  @Test
  void aTableOfManyBatches_keepsThem_orIsConcatenatedOnRequest() {
    Map<String, Integer> spec = Map.of("batches", 4, "rows", 250);
    try (ArrowTable table = ArrowTable.read(tables.invoke("chunked", spec), allocators.get())) {
      assertThat(table.batches()).hasSize(4);
      assertThat(table.rowCount()).isEqualTo(1000);
      assertThat(tables.invoke("num_rows", table)).isEqualTo(1000L);
    }
    long before = ArrowValues.allocator().getAllocatedMemory();
    try (VectorSchemaRoot joined = tables.invoke("chunked", spec, VectorSchemaRoot.class)) {
      assertThat(joined.getRowCount()).isEqualTo(1000);
      BigIntVector n = (BigIntVector) joined.getVector("n");
      for (int i = 0; i < 1000; i++) {
        assertThat(n.get(i)).isEqualTo(i);
      }
    }
    assertThat(ArrowValues.allocator().getAllocatedMemory()).isEqualTo(before);
  }

  @Test
  void aTableMadeInJavaOfSeveralBatches() {
    ArrowTable table =
        ArrowTable.of(
            Batches.wide(allocators.get(), 3),
            Batches.wide(allocators.get(), 4),
            Batches.wide(allocators.get(), 5));
    try (table) {
      assertThat(tables.invoke("num_rows", table)).isEqualTo(12L);
    }
    assertThat(table.isClosed()).isTrue();
    assertThatThrownBy(() -> tables.invoke("num_rows", table))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aRecordBatchAnswer() {
    try (ArrowTable table = tables.invoke("record_batch", null, ArrowTable.class)) {
      assertThat(table.rowCount()).isEqualTo(3);
    }
  }

  @Test
  void pandasOut_isAnArrowTable() {
    try (ArrowTable table = ArrowTable.read(tables.invoke("frame_out", null), allocators.get())) {
      VectorSchemaRoot batch = table.batches().get(0);
      Float8Vector x = (Float8Vector) batch.getVector("x");
      FieldVector name = batch.getVector("name"); // a large_string column with pandas 3
      assertThat(x.get(1)).isEqualTo(2.5);
      assertThat(x.isNull(2)).isTrue();
      assertThat(name.getObject(0)).hasToString("a");
    }
  }

  @Test
  void pandasIn_withTheDecorator() {
    try (VectorSchemaRoot sent = Batches.wide(allocators.get(), 10)) {
      Map<?, ?> seen = (Map<?, ?>) tables.invoke("frame_in", sent);
      assertThat(seen.get("is_data_frame")).isEqualTo(true);
      assertThat((double) seen.get("sum")).isEqualTo((0 + 1 + 2 + 3 + 4 + 5 + 7 + 8 + 9) * 0.5);
      try (ArrowTable back = tables.invoke("frame_scaled", sent, ArrowTable.class)) {
        Float8Vector y = (Float8Vector) back.batches().get(0).getVector("y");
        assertThat(y.get(4)).isEqualTo(20.0);
        assertThat(y.isNull(6)).isTrue();
      }
    }
  }

  @Test
  void aWorkerWithoutPyarrow_refusesTheTable_namingThePackage_andServesOn() {
    try (Synapse plain = TableWorkers.withoutPyarrow();
        VectorSchemaRoot sent = Batches.wide(allocators.get(), 3)) {
      assertThatThrownBy(() -> plain.invoke("echo", sent))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("pyarrow is not installed")
          .hasMessageContaining("pip install pyarrow");
      assertThat(plain.invoke("echo", List.of(1, "two"))).isEqualTo(List.of(1L, "two"));
      assertThat(plain.invoke("has_pyarrow", null)).isEqualTo(false);
    }
  }

  @Test
  void bytesThatAreNoArrowStream_failClearly_andAllocateNothing() {
    ExtensionValue junk =
        new ExtensionValue(ArrowTable.EXT_CODE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> ArrowTable.read(junk, allocators.get()))
        .isInstanceOf(SynapseException.class)
        .hasMessageStartingWith("Cannot read the Arrow table (extension code 2)");
    assertThatThrownBy(() -> ArrowTable.read("text", allocators.get()))
        .isInstanceOf(SynapseException.class)
        .hasMessageContaining("not an Arrow table: a java.lang.String");
    // A stream cut short: the batches read before the cut are released.
    byte[] whole =
        ((ExtensionValue) tables.invoke("chunked", Map.of("batches", 3, "rows", 100))).data();
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 100);
    assertThatThrownBy(() -> ArrowTable.read(cut, allocators.get()))
        .isInstanceOf(SynapseException.class);
  }
}
