package dev.synapse.bench.jmh;

import dev.synapse.Synapse;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.fixture.Workers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sequential round trip through Synapse: one thread calls {@code call({"foo": "bar"})} on the echo
 * module and waits for each answer before the next call. Sampled per call, so the run yields the
 * latency distribution (p50, p99), not just a mean.
 *
 * <p>{@code codec} chooses the worker's interpreter: {@code msgpack} runs {@link
 * BenchModules#python()} (msgpack's C codec), {@code pure} runs {@link BenchModules#purePython()},
 * which lacks msgpack, so pysynapse encodes with its pure-Python codec. The set-up checks that the
 * worker reports that codec.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SynapseRoundTrip {
  /** {@code msgpack} or {@code pure}: the worker's codec. */
  @Param({"msgpack"})
  public String codec;

  private Synapse synapse;

  /** Spawns the echo module on the interpreter with the wanted codec. */
  @Setup(Level.Trial)
  public void spawn() {
    synapse =
        Workers.spawn(
            "echo", "pure".equals(codec) ? BenchModules.purePython() : BenchModules.python());
    Workers.checkEcho(synapse);
    String reported = synapse.workerInfo().orElseThrow().codec();
    if (!codec.equals(reported)) {
      synapse.close();
      throw new IllegalStateException(
          "Wanted a worker with the " + codec + " codec, got " + reported);
    }
  }

  /** Ends the worker. */
  @TearDown(Level.Trial)
  public void dispose() {
    synapse.close();
  }

  /** One call and its answer. */
  @Benchmark
  public Object call() {
    return synapse.call(Workers.FOO_BAR);
  }
}
