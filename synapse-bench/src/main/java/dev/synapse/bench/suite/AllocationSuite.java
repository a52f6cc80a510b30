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
 * "bar"}} (the last a cross-check of the JMH round trip from a plain loop), counted over all JVM
 * threads by {@link AllocationMeter}; the floor is the raw harness's round trip counted the same
 * way. Measured in this JVM after warm-up calls rather than under JMH, so that exactly what is
 * counted is stated here.
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
    try (Synapse synapse = Workers.spawn("echo")) {
      Workers.checkEcho(synapse);
      meter.measure(settings.allocationWarmupCalls(), () -> synapse.call(Workers.FOO_BAR));
      for (int i = 0; i < repetitions; i++) {
        AllocationMeter.PerCall cost =
            meter.measure(settings.allocationCalls(), () -> synapse.call(Workers.FOO_BAR));
        synapseBytes[i] = cost.bytes();
        synapseThreads[i] = cost.threadsStarted();
        synapseMicros[i] = cost.micros();
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
                "Sequential round trip mean, plain loop (cross-check of the JMH rows)",
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
                + " threads started: `getTotalStartedThreadCount` over the same calls. The plain-loop round trip"
                + " is the wall-clock time of those same calls divided by their number: a cross-check of the"
                + " JMH round-trip rows measured outside JMH."));
  }
}
