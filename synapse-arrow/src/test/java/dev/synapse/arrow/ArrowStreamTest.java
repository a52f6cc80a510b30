package dev.synapse.arrow;

import static dev.synapse.arrow.TableWorkers.MSGPACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.PythonException;
import dev.synapse.Request;
import dev.synapse.Synapse;
import dev.synapse.WorkerExitedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams of record batches through a worker with pyarrow: a thousand batches in and out with a
 * slow consumer on either side (the Java allocators' peaks and the worker's resident memory stay
 * flat), cancelled from Java, ended by the handler (it raises, or stops reading), and a worker
 * killed mid-stream. Every allocator reads zero after, and the feed of batches is closed.
 */
@Timeout(300)
class ArrowStreamTest {
  private static final int BATCHES = 1_000;
  private static final int ROWS = 2_000; // ~90 KB a batch: 1,000 of them would show in the RSS
  private static final long FLAT_KIB = 32 * 1024;

  /** pysynapse's input window and Synapse's output window, in items (docs/protocol.md). */
  private static final int WINDOWS = 64 + 256;

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

  private long batchBytes() {
    try (VectorSchemaRoot one = Batches.wide(allocators.get(), ROWS)) {
      return allocators.get().getAllocatedMemory();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void aThousandBatchesIn_toAHandlerThatWorksOnEach_keepBothSidesFlat() {
    long batchBytes = batchBytes();
    BatchFeed feed = new BatchFeed(allocators.get(), BATCHES, ROWS);
    Map<String, Object> answer =
        (Map<String, Object>) tables.execute(Request.streamInput("slow_count", feed.stream()));
    assertThat(answer.get("rows")).isEqualTo((long) BATCHES * ROWS);
    List<Long> rss = (List<Long>) answer.get("rss_kib");
    assertThat(rss).hasSize(BATCHES / 100);
    assertThat(Collections.max(rss) - rss.get(0))
        .as("worker RSS growth (KiB): " + rss)
        .isLessThan(FLAT_KIB);
    // the template and one batch, with the slack of the copy's growth
    assertThat(feed.allocator.getPeakMemoryAllocation()).isLessThanOrEqualTo(4 * batchBytes);
    Awaitility.await().untilTrue(feed.closed);
  }

  @Test
  void aThousandBatchesOut_toAJavaConsumerSlowToTake_keepBothSidesFlat() {
    BatchFeed feed = new BatchFeed(allocators.get(), BATCHES, ROWS);
    List<Long> rss = new ArrayList<>();
    long firstAnswer = 0;
    try (BufferAllocator answers =
            allocators.get().newChildAllocator("answers", 0, Long.MAX_VALUE);
        Stream<Object> out =
            tables.stream(Request.streamInput("batches_transform", feed.stream()))) {
      Iterator<Object> items = out.iterator();
      for (int taken = 0; taken < BATCHES; taken++) {
        if (taken % 300 == 0) { // the consumer holds off: the worker, then the feed, stop
          Awaitility.await()
              .during(Duration.ofMillis(300))
              .atMost(Duration.ofSeconds(60))
              .until(feed.pulled::get, pulled -> pulled == feed.pulled.get());
          assertThat(feed.pulled.get()).isLessThanOrEqualTo(taken + WINDOWS + 2);
          rss.add((Long) tables.invoke("rss", null));
        }
        try (ArrowTable table = ArrowTable.read(items.next(), answers)) {
          assertThat(table.rowCount()).isEqualTo((long) ROWS);
          Float8Vector y = (Float8Vector) table.batches().get(0).getVector("y");
          assertThat(y.get(1)).isEqualTo(2 * 0.5 + 1);
          firstAnswer = firstAnswer == 0 ? answers.getAllocatedMemory() : firstAnswer;
        }
      }
      assertThat(items.hasNext()).isFalse();
      // one answer alive at a time (answers differ by a few bytes of padding)
      assertThat(answers.getPeakMemoryAllocation()).isLessThan(2 * firstAnswer);
    }
    assertThat(Collections.max(rss) - rss.get(0))
        .as("worker RSS growth (KiB): " + rss)
        .isLessThan(FLAT_KIB);
    assertThat(feed.allocator.getPeakMemoryAllocation()).isLessThanOrEqualTo(4 * batchBytes());
    Awaitility.await().untilTrue(feed.closed);
  }

  @Test
  void cancelledFromJava_midStream_stopsTheFeed_andTheWorkerServesOn() throws Exception {
    BatchFeed endless = new BatchFeed(allocators.get(), -1, ROWS);
    CompletableFuture<Object> call =
        tables.executeAsync(Request.streamInput("slow_count", endless.stream()));
    Awaitility.await().until(() -> endless.pulled.get() > 100);
    assertThat(call.cancel(true)).isTrue();
    assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
    Awaitility.await().untilTrue(endless.closed);

    BatchFeed another = new BatchFeed(allocators.get(), -1, ROWS);
    try (Stream<Object> out =
        tables.stream(Request.streamInput("batches_transform", another.stream()))) {
      out.limit(10).forEach(item -> ArrowTable.read(item, allocators.get()).close());
    }
    Awaitility.await().untilTrue(another.closed);
    try (VectorSchemaRoot batch = Batches.wide(allocators.get(), ROWS)) {
      assertThat(tables.invoke("num_rows", batch)).isEqualTo((long) ROWS);
    }
  }

  @Test
  void theHandlerRaisesMidStream_theErrorNamesTheBatch_andTheFeedStops() {
    BatchFeed endless = new BatchFeed(allocators.get(), -1, ROWS);
    assertThatThrownBy(
            () -> tables.execute(Request.streamInput("fails_at_batch_5", endless.stream())))
        .isInstanceOf(PythonException.class)
        .hasMessageContaining("input item 5")
        .hasMessageContaining("batch 5 has " + ROWS + " rows I refuse");
    Awaitility.await().untilTrue(endless.closed);
    assertThat(endless.pulled.get()).isLessThanOrEqualTo(6 + 64);
  }

  @Test
  void theHandlerStopsReadingEarly_itsAnswerEndsTheFeed() {
    BatchFeed endless = new BatchFeed(allocators.get(), -1, ROWS);
    assertThat(tables.execute(Request.streamInput("rows_of_first_3", endless.stream())))
        .isEqualTo(3L * ROWS);
    Awaitility.await().untilTrue(endless.closed);

    BatchFeed another = new BatchFeed(allocators.get(), -1, ROWS);
    try (Stream<Object> out =
        tables.stream(Request.streamInput("transform_first_3", another.stream()))) {
      List<Long> rows = new ArrayList<>();
      out.forEach(
          item -> {
            try (ArrowTable table = ArrowTable.read(item, allocators.get())) {
              rows.add(table.rowCount());
            }
          });
      assertThat(rows).containsExactly((long) ROWS, (long) ROWS, (long) ROWS);
    }
    Awaitility.await().untilTrue(another.closed);
  }

  @Test
  void aWorkerKilledMidStream_failsWithWorkerExited_andLeaksNoArrowMemory() {
    Synapse doomed = TableWorkers.tables(MSGPACK);
    try {
      long pid = (Long) doomed.invoke("pid", null);
      BatchFeed endless = new BatchFeed(allocators.get(), -1, ROWS);
      try (BufferAllocator answers =
              allocators.get().newChildAllocator("answers", 0, Long.MAX_VALUE);
          Stream<Object> out =
              doomed.stream(Request.streamInput("batches_transform", endless.stream()))) {
        Iterator<Object> items = out.iterator();
        for (int i = 0; i < 5; i++) {
          ArrowTable.read(items.next(), answers).close();
        }
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertThatThrownBy(
                () -> {
                  while (items.hasNext()) {
                    ArrowTable.read(items.next(), answers).close();
                  }
                })
            .isInstanceOf(WorkerExitedException.class);
        assertThat(answers.getAllocatedMemory()).isZero();
      }
      Awaitility.await().untilTrue(endless.closed);
    } finally {
      doomed.close();
    }
  }

  @Test
  void batchesGivesAHandlerTheRecordBatchesOfEachTableOfItsStream() throws Exception {
    try (BufferAllocator allocator =
            allocators.get().newChildAllocator("tables", 0, Long.MAX_VALUE);
        VectorSchemaRoot one = Batches.wide(allocator, 3);
        ArrowTable chunked =
            ArrowTable.read(tables.invoke("chunked", Map.of("batches", 2, "rows", 5)), allocator)) {
      assertThat(tables.execute(Request.streamInput("batch_rows", Stream.of(one, chunked))))
          .isEqualTo(
              List.of(
                  List.of("RecordBatch", 3L),
                  List.of("RecordBatch", 5L),
                  List.of("RecordBatch", 5L)));
    }
  }
}
