package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A caller whose call is the only one on its worker spins briefly for the answer before it parks
 * (AnswerSpin): its answers are still its own, and a slow handler does not keep it spinning.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class LoneCallerTest {
  /** Linux's clock ticks per second, in which /proc counts CPU time. */
  private static final long TICKS_PER_SECOND = 100;

  @Test
  void aLoneCallerOfASlowHandler_spinsOnlyBriefly_onAnInstance() throws Exception {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");

      assertThat(cpuTimeOfFiveSlowCalls(synapse)).isLessThan(Duration.ofMillis(100));
    }
  }

  @Test
  void aLoneCallerOfASlowHandler_spinsOnlyBriefly_onAPool() throws Exception {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(2).build()) {
      pool.spawn(module("toolbox"), "main");

      assertThat(cpuTimeOfFiveSlowCalls(pool)).isLessThan(Duration.ofMillis(100));
    }
  }

  @Test
  void aLoneCallerGetsItsOwnAnswers_whetherItsCallsAreFastOrSlow() throws Exception {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("toolbox"), "main");
      for (int i = 0; i < 2_000; i++) {
        if (i % 500 == 0) {
          synapse.invoke("sleep", 0.05);
        }
        assertThat(synapse.invoke("echo", List.of("call", i))).isEqualTo(List.of("call", (long) i));
      }
    }
  }

  /**
   * The CPU time this thread uses for five calls that each sleep 200 ms in the worker: an unbounded
   * spin would use about a second.
   */
  private static Duration cpuTimeOfFiveSlowCalls(SynapseCalls calls) throws IOException {
    calls.invoke("echo", "warm"); // the call path's classes are loaded before the clock starts
    long before = cpuTicksOfThisThread();
    for (int i = 0; i < 5; i++) {
      assertThat(calls.invoke("sleep", 0.2)).isEqualTo(0.2);
    }
    return Duration.ofMillis((cpuTicksOfThisThread() - before) * 1000 / TICKS_PER_SECOND);
  }

  /** The user and system time of the calling thread, in clock ticks (proc(5), utime and stime). */
  private static long cpuTicksOfThisThread() throws IOException {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    // The fields after the command's closing parenthesis; utime and stime are fields 14 and 15.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
