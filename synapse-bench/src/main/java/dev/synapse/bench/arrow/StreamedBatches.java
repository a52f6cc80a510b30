package dev.synapse.bench.arrow;

import dev.synapse.Request;
import dev.synapse.Synapse;
import dev.synapse.arrow.ArrowTable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Stream in, stream out: {@code batches} record batches (one batch of the bench table, sent again
 * and again, so that nothing but the call is measured) into a handler that yields each with its new
 * column; every answer is read into Arrow buffers and closed. Samples the JVM's used heap and the
 * worker's resident memory every {@link #SAMPLE_EVERY} batches taken back.
 */
final class StreamedBatches {
  static final int SAMPLE_EVERY = 100;

  /** Seconds, and the memory samples (MiB) taken on the way. */
  record Result(double seconds, List<Long> heapMiB, List<Long> workerRssMiB) {}

  private StreamedBatches() {}

  static Result run(Synapse synapse, VectorSchemaRoot batch, int batches, BufferAllocator allocator)
      throws IOException {
    long pid = synapse.workerInfo().orElseThrow().pid();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Long> heap = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    Iterator<VectorSchemaRoot> inputs = Stream.generate(() -> batch).limit(batches).iterator();
    long rows = 0;
    int taken = 0;
    long start = System.nanoTime();
    try (Stream<Object> answers =
        synapse.stream(Request.streamInput("batches_transform", inputs))) {
      for (Iterator<Object> it = answers.iterator(); it.hasNext(); ) {
        try (ArrowTable table = ArrowTable.read(it.next(), allocator)) {
          rows += table.rowCount();
        }
        if (++taken % SAMPLE_EVERY == 0) {
          heap.add(memory.getHeapMemoryUsage().getUsed() >> 20);
          rss.add(residentMiB(pid));
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long expected = (long) batches * batch.getRowCount();
    if (rows != expected) {
      throw new IllegalStateException("The stream gave back " + rows + " rows, not " + expected);
    }
    return new Result(seconds, heap, rss);
  }

  /** The process's resident set (VmRSS) in MiB, from /proc (Linux). */
  private static long residentMiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
      }
    }
    return -1;
  }
}
