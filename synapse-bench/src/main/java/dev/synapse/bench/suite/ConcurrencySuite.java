package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.RawPipeline;
import dev.synapse.bench.jmh.SynapseConcurrency;
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
 * Calls per second on one worker from 1, 4 and 16 Java threads, against the raw loop kept busy with
 * as many frames in flight by one thread.
 */
public final class ConcurrencySuite implements Suite {
  private static final int[] THREADS = {1, 4, 16};

  @Override
  public String id() {
    return "concurrency";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    JmhRunner jmh = new JmhRunner(settings.logs());
    Collection<RunResult> synapse =
        jmh.run(SynapseConcurrency.class, settings.throughput(), Map.of());
    Collection<RunResult> raw = jmh.run(RawPipeline.class, settings.throughput(), Map.of());
    List<Row> rows = new ArrayList<>();
    for (int threads : THREADS) {
      rows.add(
          Row.of(
              "Calls/s on one worker, "
                  + threads
                  + (threads == 1 ? " Java thread" : " Java threads"),
              Unit.CALLS_PER_SECOND,
              JmhScores.score(JmhScores.find(synapse, "threads" + threads, Map.of())),
              JmhScores.score(
                  JmhScores.find(raw, "exchange", Map.of("window", Integer.toString(threads)))),
              threads == 16 ? Target.atLeast(100_000) : Target.none("")));
    }
    return new SuiteResult(
        rows,
        List.of(
            "Calls/s: JMH Throughput, N threads sharing one instance, blocking `call({\"foo\":\"bar\"})`; floor:"
                + " one thread keeping N 17-byte frames in flight to `raw/raw_echo.py` (read one echo, send one"
                + " frame), so nothing is handed between threads; "
                + settings.throughput().describe()
                + "."));
  }
}
