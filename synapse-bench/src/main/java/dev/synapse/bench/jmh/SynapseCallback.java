package dev.synapse.bench.jmh;

import dev.synapse.Synapse;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.fixture.Workers;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A callback round trip next to two plain ones, on the same worker: {@code callback} invokes {@code
 * relay}, whose plain handler calls the exposed Java function {@code back}, which invokes {@code
 * echo} on the same worker while {@code relay} waits (Java → Python → Java → Python, and the
 * answers back); {@code twoCalls} invokes {@code echo} twice in a row. One thread, sampled per
 * operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SynapseCallback {
  private Synapse synapse;

  /** Spawns the callback module with {@code back} exposed, and checks both paths once. */
  @Setup(Level.Trial)
  public void spawn() {
    AtomicReference<Synapse> self = new AtomicReference<>();
    synapse =
        Workers.spawn(
            "callback",
            BenchModules.python(),
            builder -> builder.expose("back", input -> self.get().invoke("echo", input)));
    self.set(synapse);
    if (!Workers.FOO_BAR.equals(callback()) || !Workers.FOO_BAR.equals(twoCalls())) {
      synapse.close();
      throw new IllegalStateException("The callback module does not echo " + Workers.FOO_BAR);
    }
  }

  /** Ends the worker. */
  @TearDown(Level.Trial)
  public void dispose() {
    synapse.close();
  }

  /** Java → Python → Java → Python, and back. */
  @Benchmark
  public Object callback() {
    return synapse.invoke("relay", Workers.FOO_BAR);
  }

  /** Two plain round trips, one after the other. */
  @Benchmark
  public Object twoCalls() {
    synapse.invoke("echo", Workers.FOO_BAR);
    return synapse.invoke("echo", Workers.FOO_BAR);
  }
}
