package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.SynapseCallback;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * A callback round trip (Java → Python → Java → Python, and back) against two plain round trips
 * measured in the same run: p50 and p99.
 */
public final class CallbackSuite implements Suite {
  @Override
  public String id() {
    return "callback";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    Collection<RunResult> results =
        new JmhRunner(settings.logs()).run(SynapseCallback.class, settings.latency(), Map.of());
    RunResult callback = JmhScores.find(results, "callback", Map.of());
    RunResult twoCalls = JmhScores.find(results, "twoCalls", Map.of());
    return new SuiteResult(
        List.of(
            Row.of(
                "Callback round trip p50 (floor: two plain round trips)",
                Unit.MICROSECONDS,
                JmhScores.percentile(callback, 50),
                JmhScores.percentile(twoCalls, 50),
                Target.ratioAtMost(1.3)),
            Row.of(
                "Callback round trip p99 (floor: two plain round trips)",
                Unit.MICROSECONDS,
                JmhScores.percentile(callback, 99),
                JmhScores.percentile(twoCalls, 99),
                Target.none(""))),
        List.of(
            "Callback: JMH SampleTime, one thread, `invoke(\"relay\", {\"foo\":\"bar\"})` on"
                + " `callback/main.py`, whose plain handler calls the exposed Java function `back`"
                + " (`pysynapse.host.call`), which invokes `echo` on the same worker while `relay`"
                + " waits; floor: two `invoke(\"echo\", {\"foo\":\"bar\"})` in a row on the same"
                + " module, in the same run. "
                + settings.latency().describe()
                + "."));
  }
}
