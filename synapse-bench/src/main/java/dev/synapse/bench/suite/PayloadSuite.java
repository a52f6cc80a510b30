package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.RawPayload;
import dev.synapse.bench.jmh.SynapsePayload;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * One-way payload rates for {@code byte[]} of 1 KiB to 64 MiB, each direction, against the raw loop
 * moving the same sizes into reused buffers. The rate is the size divided by the time of one call
 * (the small message the other way included).
 */
public final class PayloadSuite implements Suite {
  private static final int[] SIZES = {1 << 10, 1 << 20, 16 << 20, 64 << 20};
  private static final int LARGEST = 64 << 20;

  /** The 64 MiB target, in MB/s (1.5 GB/s). */
  private static final double TARGET_MB_PER_S = 1500;

  @Override
  public String id() {
    return "payload";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    JmhRunner jmh = new JmhRunner(settings.logs());
    Collection<RunResult> synapse = jmh.run(SynapsePayload.class, settings.payload(), Map.of());
    Collection<RunResult> raw = jmh.run(RawPayload.class, settings.payload(), Map.of());
    List<Row> rows = new ArrayList<>();
    for (String direction : List.of("toPython", "fromPython")) {
      for (int size : SIZES) {
        Map<String, String> param = Map.of("size", Integer.toString(size));
        String way = "toPython".equals(direction) ? "Java → Python, " : "Python → Java, ";
        rows.add(
            Row.of(
                way + sizeName(size) + " `byte[]`",
                Unit.MEGABYTES_PER_SECOND,
                JmhScores.megabytesPerSecond(JmhScores.find(synapse, direction, param), size),
                JmhScores.megabytesPerSecond(JmhScores.find(raw, direction, param), size),
                size == LARGEST ? Target.atLeast(TARGET_MB_PER_S) : Target.none("")));
      }
    }
    return new SuiteResult(
        rows,
        List.of(
            "Payload: JMH AverageTime of `invoke(\"size\", bytes)` (Java → Python, answers the length) and"
                + " `invoke(\"blob\", n)` (Python → Java, answers n bytes made once per size) on `payload/main.py`;"
                + " MB/s = size ÷ time per call, 1 MB = 10^6 bytes. Floor: `raw/raw_echo.py` with the same sizes,"
                + " read into reused buffers on both sides (Python `readinto`, one growing Java array), Java writing"
                + " in 64 KiB slices; "
                + settings.payload().describe()
                + "."));
  }

  private static String sizeName(int size) {
    return size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
  }
}
