package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.RawPipeline;
import dev.synapse.bench.jmh.SynapseConcurrency;
import dev.synapse.bench.jmh.ThreadHandOff;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * Calls per second on one worker from 1, 4 and 16 Java threads, against the raw loop kept busy with
 * as many frames in flight by one thread; and, as reference rows, the blocking hand-offs per second
 * that as many Java threads and one completing thread reach with no I/O at all ({@link
 * ThreadHandOff}), the ceiling of the machine for Synapse's thread structure.
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
    Collection<RunResult> handOff = jmh.run(ThreadHandOff.class, settings.throughput(), Map.of());
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
    for (int threads : THREADS) {
      rows.add(
          Row.reference(
              "Reference, no Synapse: hand-offs/s between "
                  + threads
                  + (threads == 1 ? " Java thread" : " Java threads")
                  + " and one completing thread, no I/O (the machine's ceiling for blocking calls)",
              Unit.HAND_OFFS_PER_SECOND,
              JmhScores.score(JmhScores.find(handOff, "threads" + threads, Map.of()))));
    }
    double synapse16 = JmhScores.score(JmhScores.find(synapse, "threads16", Map.of())).median();
    double ceiling16 = JmhScores.score(JmhScores.find(handOff, "threads16", Map.of())).median();
    return new SuiteResult(
        rows,
        List.of(
            "Calls/s: JMH Throughput, N threads sharing one instance, blocking `call({\"foo\":\"bar\"})`; floor:"
                + " one thread keeping N 17-byte frames in flight to `raw/raw_echo.py` (read one echo, send one"
                + " frame), so nothing is handed between threads; "
                + settings.throughput().describe()
                + ".",
            String.format(
                Locale.ROOT,
                "Hand-off ceiling (reference rows, figure in the floor column): JMH Throughput, N Java threads each"
                    + " putting a new `CompletableFuture` on one `LinkedBlockingQueue` and blocking in `join()` until"
                    + " a single completing thread (take, drain the rest, complete each) completes it; no pipe, no"
                    + " encoding, no Python. It is Synapse's thread structure (callers block, one reader thread"
                    + " completes their futures) without the I/O, so it bounds what blocking calls through one"
                    + " worker can reach on this machine: Synapse's calls/s at N threads cannot exceed it, and stay"
                    + " well below it since every call also needs the Python worker's CPU on the same cores. When the"
                    + " 16-thread ceiling is near or below 100,000/s, the ≥ 100,000 calls/s target is out of reach of"
                    + " blocking calls on this machine, whatever Synapse does. In this run Synapse's 16-thread calls/s"
                    + " were %.1f%% of the 16-thread ceiling; %s.",
                100 * synapse16 / ceiling16,
                settings.throughput().describe())));
  }
}
