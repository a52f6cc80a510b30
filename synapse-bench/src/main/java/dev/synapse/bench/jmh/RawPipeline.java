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
 * The floor of {@link SynapseConcurrency}: the raw loop kept busy with {@code window} frames in
 * flight, as many as the Java threads of the Synapse figure can have. One thread does it all: each
 * operation reads one echo and sends one new frame, so the window stays full and nothing is handed
 * between threads. A window of 1 is a sequential round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RawPipeline {
  /** Frames in flight. */
  @Param({"1", "4", "16"})
  public int window;

  private final byte[] body = RawEchoProcess.echoBody(RawRoundTrip.CALL_FRAME_BODY);
  private RawEchoProcess raw;

  /** Starts the raw loop and fills the window. */
  @Setup(Level.Trial)
  public void start() throws IOException {
    raw = RawEchoProcess.start();
    for (int i = 0; i < window; i++) {
      raw.write(body);
    }
    raw.flush();
  }

  /** Ends the raw loop; the echoes still in flight are dropped with it. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    raw.close();
  }

  /** Takes one echo and sends the next frame. */
  @Benchmark
  public int exchange() throws IOException {
    int length = raw.read();
    raw.write(body);
    raw.flush();
    return length;
  }
}
