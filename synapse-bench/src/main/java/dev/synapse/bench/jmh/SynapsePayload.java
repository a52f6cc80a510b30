package dev.synapse.bench.jmh;

import dev.synapse.Synapse;
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
 * One-way payloads through Synapse: a {@code byte[]} of {@code size} bytes sent to Python, which
 * answers its length ({@link #toPython}), and {@code size} bytes answered by Python for a small
 * request ({@link #fromPython}). The time per call, divided into the size, is the one-way rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SynapsePayload {
  /** Payload bytes. */
  @Param({"1024", "1048576", "16777216", "67108864"})
  public int size;

  private Synapse synapse;
  private byte[] data;

  /** Spawns the payload module and checks both directions once. */
  @Setup(Level.Trial)
  public void spawn() {
    synapse = Workers.spawn("payload");
    data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) i;
    }
    long counted = synapse.invoke("size", data, Long.class);
    byte[] answered = synapse.invoke("blob", size, byte[].class);
    if (counted != size || answered.length != size) {
      throw new IllegalStateException(
          "The payload module counted "
              + counted
              + " and answered "
              + answered.length
              + " bytes for "
              + size);
    }
  }

  /** Ends the worker. */
  @TearDown(Level.Trial)
  public void dispose() {
    synapse.close();
  }

  /** Java to Python: {@code size} bytes there, their length back. */
  @Benchmark
  public Object toPython() {
    return synapse.invoke("size", data);
  }

  /** Python to Java: a small request there, {@code size} bytes back. */
  @Benchmark
  public Object fromPython() {
    return synapse.invoke("blob", size);
  }
}
