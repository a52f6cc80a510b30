package dev.synapse.bench.jmh;

import dev.synapse.Synapse;
import dev.synapse.bench.fixture.Workers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Calls per second that one worker answers when 1, 4 or 16 Java threads call it at once with
 * blocking {@code call({"foo": "bar"})}. All threads share one Synapse instance (one worker).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SynapseConcurrency {
  private Synapse synapse;

  /** Spawns the echo module, shared by all benchmark threads. */
  @Setup(Level.Trial)
  public void spawn() {
    synapse = Workers.spawn("echo");
    Workers.checkEcho(synapse);
  }

  /** Ends the worker. */
  @TearDown(Level.Trial)
  public void dispose() {
    synapse.close();
  }

  /** One thread. */
  @Benchmark
  @Threads(1)
  public Object threads1() {
    return synapse.call(Workers.FOO_BAR);
  }

  /** Four threads. */
  @Benchmark
  @Threads(4)
  public Object threads4() {
    return synapse.call(Workers.FOO_BAR);
  }

  /** Sixteen threads. */
  @Benchmark
  @Threads(16)
  public Object threads16() {
    return synapse.call(Workers.FOO_BAR);
  }
}
