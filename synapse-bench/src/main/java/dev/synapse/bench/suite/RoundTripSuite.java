package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.RawRoundTrip;
import dev.synapse.bench.jmh.SynapseRoundTrip;
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
 * Sequential round trip of {@code {"foo": "bar"}}: p50 and p99 of Synapse's blocking {@code call}
 * against a 17-byte raw echo, and optionally p50 with pysynapse's pure-Python codec.
 */
public final class RoundTripSuite implements Suite {
  @Override
  public String id() {
    return "round-trip";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    JmhRunner jmh = new JmhRunner(settings.logs());
    List<String> codecs = settings.pure() ? List.of("msgpack", "pure") : List.of("msgpack");
    Collection<RunResult> synapse =
        jmh.run(SynapseRoundTrip.class, settings.latency(), Map.of("codec", codecs));
    Collection<RunResult> raw = jmh.run(RawRoundTrip.class, settings.latency(), Map.of());
    RunResult fast = JmhScores.find(synapse, "call", Map.of("codec", "msgpack"));
    RunResult floor = JmhScores.find(raw, "echo", Map.of());

    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.of(
            "Sequential round trip p50, `{\"foo\":\"bar\"}`",
            Unit.MICROSECONDS,
            JmhScores.percentile(fast, 50),
            JmhScores.percentile(floor, 50),
            Target.ratioAtMost(1.2)));
    rows.add(
        Row.of(
            "Sequential round trip p99, `{\"foo\":\"bar\"}`",
            Unit.MICROSECONDS,
            JmhScores.percentile(fast, 99),
            JmhScores.percentile(floor, 99),
            Target.ratioAtMost(1.5)));
    if (settings.pure()) {
      RunResult pure = JmhScores.find(synapse, "call", Map.of("codec", "pure"));
      rows.add(
          Row.of(
              "Sequential round trip p50, pure-Python codec (" + settings.purePython() + ")",
              Unit.MICROSECONDS,
              JmhScores.percentile(pure, 50),
              JmhScores.percentile(floor, 50),
              Target.none("")));
    }
    return new SuiteResult(
        rows,
        List.of(
            "Round trip: JMH SampleTime, one thread, blocking `call(Map.of(\"foo\",\"bar\"))` on `echo/main.py`"
                + " (`serve(echo)`); floor: a 17-byte frame (the size of Synapse's CALL frame) echoed by"
                + " `raw/raw_echo.py`, written and read on the calling thread. Each value is the percentile of one"
                + " iteration's samples; "
                + settings.latency().describe()
                + "."));
  }
}
