package dev.synapse.arrow;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;

/** Record batches built in Java for the tests. */
final class Batches {
  private Batches() {}

  /**
   * {@code rows} rows of (id int64, x float64, s utf8 of 16 bytes, t timestamp[us, UTC]): the
   * benchmark's shape; every seventh x is null.
   */
  static VectorSchemaRoot wide(BufferAllocator allocator, int rows) {
    BigIntVector id = new BigIntVector("id", allocator);
    Float8Vector x = new Float8Vector("x", allocator);
    VarCharVector s = new VarCharVector("s", allocator);
    TimeStampMicroTZVector t = new TimeStampMicroTZVector("t", allocator, "UTC");
    id.allocateNew(rows);
    x.allocateNew(rows);
    s.allocateNew(rows * 16L, rows);
    t.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      id.set(i, i);
      if (i % 7 == 6) {
        x.setNull(i);
      } else {
        x.set(i, i * 0.5);
      }
      s.setSafe(i, String.format("name-%011d", i).getBytes(StandardCharsets.UTF_8));
      t.set(i, 1_700_000_000_000_000L + i);
    }
    List<FieldVector> vectors = List.of(id, x, s, t);
    for (FieldVector vector : vectors) {
      vector.setValueCount(rows);
    }
    return new VectorSchemaRoot(vectors);
  }

  /** Five rows of common types, with a null in every column and inside the list. */
  static VectorSchemaRoot mixed(BufferAllocator allocator) {
    IntVector i32 = new IntVector("i32", allocator);
    BitVector flag = new BitVector("flag", allocator);
    DecimalVector price = new DecimalVector("price", allocator, 12, 3);
    DateDayVector day = new DateDayVector("day", allocator);
    VarCharVector text = new VarCharVector("text", allocator);
    ListVector list = ListVector.empty("list", allocator);
    int rows = 5;
    for (int i = 0; i < rows; i++) {
      if (i == 2) {
        i32.setNull(i);
        flag.setNull(i);
        price.setNull(i);
        day.setNull(i);
        text.setNull(i);
        continue;
      }
      i32.setSafe(i, i * 1000 - 2);
      flag.setSafe(i, i % 2);
      price.setSafe(i, new BigDecimal("-12.5").add(BigDecimal.valueOf(i)).setScale(3));
      day.setSafe(i, 19_000 + i);
      text.setSafe(i, ("zeile " + i + " ü").getBytes(StandardCharsets.UTF_8));
    }
    UnionListWriter writer = list.getWriter();
    for (int i = 0; i < rows; i++) {
      writer.setPosition(i);
      if (i == 3) {
        continue; // a null list
      }
      writer.startList();
      for (int j = 0; j < i; j++) {
        if (j == 1) {
          writer.writeNull();
        } else {
          writer.writeBigInt(j * 10L);
        }
      }
      writer.endList();
    }
    List<FieldVector> vectors = List.of(i32, flag, price, day, text, list);
    for (FieldVector vector : vectors) {
      vector.setValueCount(rows);
    }
    return new VectorSchemaRoot(vectors);
  }
}
