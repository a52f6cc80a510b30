package dev.synapse.bench.suite;

import dev.synapse.Synapse;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.RawEchoProcess;
import dev.synapse.bench.fixture.Workers;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.List;

/**
 * Java heap allocated, threads started, and wall-clock time per sequential call of {@code {"foo":
 * "bar"}} (its p50, p99 and mean: a cross-check of the JMH round trip from a plain loop), counted
 * over all JVM threads by {@link AllocationMeter}; the floor is the raw harness's round trip
 * counted the same way. Measured in this JVM after warm-up calls rather than under JMH, so that
 * exactly what is counted is stated here.
 */
public final class AllocationSuite implements Suite {
  @Override
  public String id() {
    return "allocation";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    AllocationMeter meter = new AllocationMeter();
    int repetitions = settings.allocationRepetitions();
    double[] synapseBytes = new double[repetitions];
    double[] synapseThreads = new double[repetitions];
    double[] rawBytes = new double[repetitions];
    double[] rawThreads = new double[repetitions];
    double[] synapseMicros = new double[repetitions];
    double[] rawMicros = new double[repetitions];
    double[] synapseP50 = new double[repetitions];
    double[] rawP50 = new double[repetitions];
    double[] synapseP99 = new double[repetitions];
    double[] rawP99 = new double[repetitions];
    try (Synapse synapse = Workers.spawn("echo")) {
      Workers.checkEcho(synapse);
      meter.measure(settings.allocationWarmupCalls(), () -> synapse.call(Workers.FOO_BAR));
      for (int i = 0; i < repetitions; i++) {
        AllocationMeter.PerCall cost =
            meter.measure(settings.allocationCalls(), () -> synapse.call(Workers.FOO_BAR));
        synapseBytes[i] = cost.bytes();
        synapseThreads[i] = cost.threadsStarted();
        synapseMicros[i] = cost.micros();
        synapseP50[i] = cost.p50Micros();
        synapseP99[i] = cost.p99Micros();
      }
    }
    byte[] body = RawEchoProcess.echoBody(17);
    try (RawEchoProcess raw = RawEchoProcess.start()) {
      meter.measure(settings.allocationWarmupCalls(), () -> raw.echo(body));
      for (int i = 0; i < repetitions; i++) {
        AllocationMeter.PerCall cost =
            meter.measure(settings.allocationCalls(), () -> raw.echo(body));
        rawBytes[i] = cost.bytes();
        rawThreads[i] = cost.threadsStarted();
        rawMicros[i] = cost.micros();
        rawP50[i] = cost.p50Micros();
        rawP99[i] = cost.p99Micros();
      }
    }
    return new SuiteResult(
        List.of(
            Row.of(
                "Java heap allocated per call, all threads, `{\"foo\":\"bar\"}`",
                Unit.BYTES_PER_CALL,
                Measured.of(synapseBytes),
                Measured.of(rawBytes),
                Target.none("small, stated")),
            Row.of(
                "Threads started per call",
                Unit.THREADS_PER_CALL,
                Measured.of(synapseThreads),
                Measured.of(rawThreads),
                Target.atMost(0)),
            Row.of(
                "Sequential round trip p50, plain loop (cross-check of the JMH p50 row)",
                Unit.MICROSECONDS,
                Measured.of(synapseP50),
                Measured.of(rawP50),
                Target.none("")),
            Row.of(
                "Sequential round trip p99, plain loop (cross-check of the JMH p99 row)",
                Unit.MICROSECONDS,
                Measured.of(synapseP99),
                Measured.of(rawP99),
                Target.none("")),
            Row.of(
                "Sequential round trip mean, plain loop",
                Unit.MICROSECONDS,
                Measured.of(synapseMicros),
                Measured.of(rawMicros),
                Target.none(""))),
        List.of(
            "Allocation: `com.sun.management.ThreadMXBean.getThreadAllocatedBytes` summed over all live JVM threads"
                + " (caller, `synapse-reader/writer/stderr-*`, everything else) around "
                + settings.allocationCalls()
                + " sequential blocking calls, after "
                + settings.allocationWarmupCalls()
                + " warm-up calls, "
                + repetitions
                + " repetitions, in the JVM that runs the bench (default heap);"
                + " threads started: `getTotalStartedThreadCount` over the same calls. Plain-loop round trip:"
                + " each of those same calls timed with `System.nanoTime()`; p50 and p99 per repetition, set"
                + " against the JMH round-trip rows (same percentiles, measured outside JMH), and the mean, which"
                + " a few slow calls (a busy machine, a GC) pull well above the p50."));
  }
}
