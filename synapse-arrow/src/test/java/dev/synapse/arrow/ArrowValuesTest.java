package dev.synapse.arrow;

import static dev.synapse.arrow.TableWorkers.MSGPACK;
import static dev.synapse.arrow.TableWorkers.PURE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.ExtensionValue;
import dev.synapse.Synapse;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Arrow tables both ways through real workers (pyarrow and pandas in a venv), with msgpack's codec
 * and with the pure codec; every test's allocator must read zero once its tables are closed.
 */
@Timeout(120)
class ArrowValuesTest {
  private static Synapse msgpack;
  private static Synapse pure;

  @RegisterExtension final TestAllocator allocators = new TestAllocator();

  @BeforeAll
  @Timeout(900) // the first build makes the venv: pip installs pyarrow and pandas
  static void spawn() {
    msgpack = TableWorkers.tables(MSGPACK);
    pure = TableWorkers.tables(PURE);
  }

  @AfterAll
  static void close() {
    TableWorkers.closeAll(msgpack, pure);
  }

  private static Synapse worker(String codec) {
    return codec.equals(MSGPACK) ? msgpack : pure;
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aJavaBatchIsATableInPython_andComesBackEqual(String codec) {
    try (VectorSchemaRoot sent = Batches.mixed(allocators.get())) {
      Map<?, ?> seen = (Map<?, ?>) worker(codec).invoke("schema_of", sent);
      assertThat(seen.get("type")).isEqualTo("Table");
      assertThat(seen.get("rows")).isEqualTo(5L);
      assertThat((String) seen.get("schema"))
          .contains("i32: int32", "flag: bool", "price: decimal128(12, 3)", "day: date32[day]")
          .contains("text: string", "list: list<$data$: int64>");

      Object answer = worker(codec).invoke("echo", sent);
      assertThat(answer).isInstanceOf(ExtensionValue.class);
      try (ArrowTable back = ArrowTable.read(answer, allocators.get())) {
        assertThat(back.batches()).hasSize(1);
        assertThat(back.batches().get(0).equals(sent)).isTrue();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void everySharedTypeMakesTheRoundTrip_pythonToJavaToPython(String codec) {
    try (ArrowTable table =
        ArrowTable.read(worker(codec).invoke("all_types", null), allocators.get())) {
      assertThat(table.rowCount()).isEqualTo(5);
      assertThat(table.schema().findField("ts_ms_paris").getType())
          .isEqualTo(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "Europe/Paris"));
      assertThat(table.schema().findField("dict").getDictionary()).isNotNull();
      assertThat(table.dictionaries().getDictionaryIds()).hasSize(1);
      VectorSchemaRoot batch = table.batches().get(0);
      BigIntVector i64 = (BigIntVector) batch.getVector("i64");
      assertThat(i64.get(0)).isEqualTo(Long.MIN_VALUE);
      assertThat(i64.isNull(2)).isTrue();

      assertThat(worker(codec).invoke("check_all_types", table)).isEqualTo(true);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aTypedCallReadsTheAnswerIntoTheSharedAllocator(String codec) {
    long before = ArrowValues.allocator().getAllocatedMemory();
    try (VectorSchemaRoot sent = Batches.wide(allocators.get(), 1000);
        ArrowTable back = worker(codec).invoke("add_column", sent, ArrowTable.class)) {
      assertThat(ArrowValues.allocator().getAllocatedMemory()).isGreaterThan(before);
      VectorSchemaRoot batch = back.batches().get(0);
      assertThat(batch.getSchema().getFields())
          .extracting("name")
          .containsExactly("id", "x", "s", "t", "y");
      Float8Vector y = (Float8Vector) batch.getVector("y");
      assertThat(y.get(10)).isEqualTo(10 * 0.5 * 2 + 1);
      assertThat(y.isNull(6)).isTrue();
    }
    assertThat(ArrowValues.allocator().getAllocatedMemory()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aMillionRows(String codec) {
    int rows = 1_000_000;
    try (VectorSchemaRoot sent = Batches.wide(allocators.get(), rows)) {
      assertThat(worker(codec).invoke("num_rows", sent)).isEqualTo((long) rows);
      try (ArrowTable back =
          ArrowTable.read(worker(codec).invoke("add_column", sent), allocators.get())) {
        assertThat(back.rowCount()).isEqualTo(rows);
        VectorSchemaRoot batch = back.batches().get(0);
        assertThat(((Float8Vector) batch.getVector("y")).get(rows - 1))
            .isEqualTo((rows - 1) * 0.5 * 2 + 1);
        assertThat(((BigIntVector) batch.getVector("id")).get(rows - 1)).isEqualTo(rows - 1L);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void tablesLargerThanAFrame_travelThroughSharedMemory_bothWays(String codec) {
    int rows = 100_000; // about 4 MB of IPC stream, four times the frame's limit
    try (Synapse small =
            TableWorkers.tables(
                codec, builder -> builder.maxFrameBytes(1 << 20).sharedMemoryThreshold(64 << 10));
        VectorSchemaRoot sent = Batches.wide(allocators.get(), rows)) {
      assertThat(small.invoke("num_rows", sent)).isEqualTo((long) rows);
      try (ArrowTable back = ArrowTable.read(small.invoke("add_column", sent), allocators.get())) {
        VectorSchemaRoot batch = back.batches().get(0);
        assertThat(batch.getRowCount()).isEqualTo(rows);
        assertThat(((Float8Vector) batch.getVector("y")).get(rows - 1))
            .isEqualTo((rows - 1) * 0.5 * 2 + 1);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void tablesInsideOtherValues(String codec) {
    try (VectorSchemaRoot sent = Batches.mixed(allocators.get())) {
      List<?> back = (List<?>) worker(codec).invoke("echo", List.of(Map.of("t", sent), 7));
      assertThat(back.get(1)).isEqualTo(7L);
      try (ArrowTable table =
          ArrowTable.read(((Map<?, ?>) back.get(0)).get("t"), allocators.get())) {
        assertThat(table.batches().get(0).equals(sent)).isTrue();
      }
    }
  }
}
