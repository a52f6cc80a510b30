package dev.synapse.bench.jmh;

import dev.synapse.bench.fixture.RawEchoProcess;
import java.io.IOException;
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

/**
 * The floor of {@link SynapseRoundTrip}: a 17-byte frame (the length of Synapse's CALL frame for
 * {@code {"foo": "bar"}}) echoed by the raw loop, written and read on the calling thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RawRoundTrip {
  /**
   * Bytes in the body of Synapse's CALL frame {@code [1, id, nil, {"foo": "bar"}]} once ids pass
   * 65535.
   */
  static final int CALL_FRAME_BODY = 17;

  private final byte[] body = RawEchoProcess.echoBody(CALL_FRAME_BODY);
  private RawEchoProcess raw;

  /** Starts the raw loop. */
  @Setup(Level.Trial)
  public void start() throws IOException {
    raw = RawEchoProcess.start();
    if (raw.echo(body) != body.length) {
      throw new IllegalStateException("The raw echo loop answered a frame of another length");
    }
  }

  /** Ends the raw loop. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    raw.close();
  }

  /** One frame there and back. */
  @Benchmark
  public int echo() throws IOException {
    return raw.echo(body);
  }
}
