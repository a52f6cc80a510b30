package dev.synapse.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.LogLine;
import dev.synapse.SynapseListener;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

/**
 * A worker's stderr as the pump reads it: each line reaches the listener as it comes (the test
 * waits for it, never for a time), pysynapse's log lines keep their level and logger, long lines
 * are cut, and the tail keeps the last lines for the exception of a dead worker.
 */
@Timeout(60)
class StderrPumpTest {
  private final BlockingQueue<LogLine> lines = new LinkedBlockingQueue<>();
  private final SynapseListener listener =
      new SynapseListener() {
        @Override
        public void onLog(LogLine line) {
          lines.add(line);
        }
      };

  private LogLine next() throws InterruptedException {
    LogLine line = lines.poll(30, TimeUnit.SECONDS);
    assertThat(line).as("a line within 30 s: the pump hangs").isNotNull();
    return line;
  }

  @Test
  void eachLineReachesTheListenerAsItComes_andTheTailKeepsThem() throws Exception {
    PipedOutputStream worker = new PipedOutputStream();
    StderrPump pump = new StderrPump(Path.of("/modules/fraud/main.py"), "main", listener);
    pump.read(new PipedInputStream(worker), 1);

    worker.write("[pysynapse:WARNING:app.db] slow query\r\n".getBytes(StandardCharsets.UTF_8));
    worker.flush();
    assertThat(next()).isEqualTo(new LogLine("main", Level.WARN, "app.db", "slow query"));

    worker.write("plain output\n".getBytes(StandardCharsets.UTF_8));
    worker.flush();
    assertThat(next()).isEqualTo(new LogLine("main", Level.INFO, "", "plain output"));

    worker.write("x".repeat(StderrPump.MAX_LINE + 5).getBytes(StandardCharsets.UTF_8));
    worker.write("no line break at the end".getBytes(StandardCharsets.UTF_8));
    worker.close();
    assertThat(next().text()).hasSize(StderrPump.MAX_LINE);
    assertThat(next().text()).isEqualTo("xxxxx" + "no line break at the end");
    pump.awaitEnd(30_000);

    assertThat(pump.tail().split("\n"))
        .hasSize(4)
        .startsWith("WARN app.db: slow query", "plain output");
    assertThat(StderrPump.loggerName(Path.of("/modules/fraud/main.py"), "main"))
        .isEqualTo("synapse.fraud.main");
  }
}
