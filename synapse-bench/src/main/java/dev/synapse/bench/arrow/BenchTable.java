package dev.synapse.bench.arrow;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The rows of the Arrow figures: (id int64, x float64, s utf8 of 16 bytes, t timestamp[us, UTC]),
 * as a record batch and as the same rows in a list of maps.
 */
final class BenchTable {
  private static final long EPOCH_MICROS = 1_700_000_000_000_000L;

  private BenchTable() {}

  private static String name(long i) {
    return String.format("name-%011d", i);
  }

  /** Rows {@code first} to {@code first + rows - 1} as one batch. */
  static VectorSchemaRoot batch(BufferAllocator allocator, long first, int rows) {
    BigIntVector id = new BigIntVector("id", allocator);
    Float8Vector x = new Float8Vector("x", allocator);
    VarCharVector s = new VarCharVector("s", allocator);
    TimeStampMicroTZVector t = new TimeStampMicroTZVector("t", allocator, "UTC");
    id.allocateNew(rows);
    x.allocateNew(rows);
    s.allocateNew(rows * 16L, rows);
    t.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      long n = first + i;
      id.set(i, n);
      x.set(i, n * 0.5);
      s.set(i, name(n).getBytes(StandardCharsets.US_ASCII));
      t.set(i, EPOCH_MICROS + n);
    }
    List<FieldVector> vectors = List.of(id, x, s, t);
    for (FieldVector vector : vectors) {
      vector.setValueCount(rows);
    }
    return new VectorSchemaRoot(vectors);
  }

  /** The same rows as maps {id, x, s, t}, as they travel without Arrow. */
  static List<Map<String, Object>> maps(int rows) {
    List<Map<String, Object>> list = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Map<String, Object> row = new LinkedHashMap<>(8);
      row.put("id", (long) i);
      row.put("x", i * 0.5);
      row.put("s", name(i));
      long micros = EPOCH_MICROS + i;
      row.put("t", Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000));
      list.add(row);
    }
    return list;
  }
}
