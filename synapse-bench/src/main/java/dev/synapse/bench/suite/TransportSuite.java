package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.RawEchoProcess;
import dev.synapse.bench.fixture.RawTransports;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Unit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference rows for the design of the small-call path, with no Synapse in them: the raw 17-byte
 * round trip over the pipes with the caller reading its own answer (the round-trip floor), over the
 * pipes with a reader thread handing each answer to the caller (Synapse's thread structure), and
 * over a Unix-domain socket, read by the caller either blocking or in a selector with a deadline
 * (what a caller taking the reader's place would need to keep timeouts and interrupts).
 *
 * <p>Timed by hand, each call with {@link System#nanoTime()}; the four alternate in rounds of
 * {@code calls} calls each, so that a drift of the machine hits all of them. A cell is the median
 * over the rounds of each round's p50.
 */
public final class TransportSuite implements Suite {
  private static final byte[] BODY = RawEchoProcess.echoBody(17);

  @Override
  public String id() {
    return "transport";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    int rounds = settings.quick() ? 3 : 8;
    int calls = settings.quick() ? 2_000 : 10_000;
    Path dir =
        Files.createTempDirectory(
            "synapse-bench-socket-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    String[] names = {
      "pipe, the caller reads (the round-trip floor)",
      "pipe, a reader thread hands the answer to the caller",
      "Unix-domain socket, the caller reads (blocking)",
      "Unix-domain socket, the caller waits in a selector with a deadline"
    };
    double[][] p50 = new double[names.length][rounds];
    double[][] ratio = new double[names.length][rounds];
    try (RawTransports.Echo direct = RawTransports.direct(RawEchoProcess.start());
        RawTransports.Echo handoff = new RawTransports.Handoff();
        RawTransports.Echo blocking =
            new RawTransports.SocketEcho(dir.resolve("blocking.sock"), false);
        RawTransports.Echo selecting =
            new RawTransports.SocketEcho(dir.resolve("selecting.sock"), true)) {
      RawTransports.Echo[] echoes = {direct, handoff, blocking, selecting};
      System.err.printf("  4 transports: 1 warm-up + %d rounds of %d calls%n", rounds, calls);
      for (int round = -1; round < rounds; round++) {
        for (int i = 0; i < echoes.length; i++) {
          double median = roundP50(echoes[i], calls);
          if (round >= 0) {
            p50[i][round] = median;
          }
        }
        if (round >= 0) {
          for (int i = 0; i < echoes.length; i++) {
            ratio[i][round] = p50[i][round] / p50[0][round];
          }
        }
      }
    } finally {
      Files.deleteIfExists(dir);
    }
    List<Row> rows = new ArrayList<>();
    StringBuilder ratios = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      rows.add(
          Row.reference(
              "Reference, no Synapse: raw 17-byte round trip p50, " + names[i],
              Unit.MICROSECONDS,
              Measured.of(p50[i])));
      if (i > 0) {
        ratios.append(String.format("%s %.2f×; ", names[i], Measured.of(ratio[i]).median()));
      }
    }
    return new SuiteResult(
        rows,
        List.of(
            "Transports (reference rows): `raw/raw_echo.py` echoing a 17-byte frame four ways, alternating in "
                + rounds
                + " rounds of "
                + calls
                + " calls each (after one warm-up round); each cell is the median over the rounds of"
                + " the round's p50. Median over the rounds of each one's p50 ÷ the pipe floor's p50"
                + " in the same round: "
                + ratios.substring(0, ratios.length() - 2)
                + "."));
  }

  private static double roundP50(RawTransports.Echo echo, int calls) throws IOException {
    return RawTransports.timedEchoes(echo, BODY, calls)[calls / 2] / 1e3;
  }
}
