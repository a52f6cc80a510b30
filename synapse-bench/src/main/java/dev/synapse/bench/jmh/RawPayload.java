package dev.synapse.bench.jmh;

import dev.synapse.bench.fixture.RawEchoProcess;
import java.io.IOException;
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
 * The floor of {@link SynapsePayload}: the same sizes over the same pipes, read into reused buffers
 * on both sides (Python's {@code readinto}, and one Java array that only grows), with no encoding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RawPayload {
  /** Payload bytes. */
  @Param({"1024", "1048576", "16777216", "67108864"})
  public int size;

  private RawEchoProcess raw;
  private byte[] data;

  /** Starts the raw loop and checks both directions once. */
  @Setup(Level.Trial)
  public void start() throws IOException {
    raw = RawEchoProcess.start();
    data = RawEchoProcess.sinkBody(size);
    long counted = raw.sink(data);
    int fetched = raw.fetch(size);
    if (counted != size || fetched != size) {
      throw new IllegalStateException(
          "The raw loop counted " + counted + " and sent " + fetched + " bytes for " + size);
    }
  }

  /** Ends the raw loop. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    raw.close();
  }

  /** Java to Python: {@code size} bytes there, their count back. */
  @Benchmark
  public long toPython() throws IOException {
    return raw.sink(data);
  }

  /** Python to Java: a 9-byte request there, {@code size} bytes back. */
  @Benchmark
  public int fromPython() throws IOException {
    return raw.fetch(size);
  }
}
