package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SpawnException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The child processes are small Python programs written for each case. */
@Timeout(90)
class ProcessRunnerTest {
  private static final String PYTHON = InterpreterLocator.locate(null).toString();

  /** Starts a child that sleeps, with this process's output, and prints its pid. */
  private static final String START_SLEEPER =
      "import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']);"
          + " print(child.pid, flush=True); ";

  private final ProcessRunner runner = new ProcessRunner(Duration.ofMillis(300));
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  private final Set<Long> processesBefore = Modules.childProcesses();

  @AfterEach
  void noProcessLeft() {
    Modules.assertNoChildProcessesBut(processesBefore);
  }

  private CommandResult python(String code, Deadline deadline) {
    Command command =
        new Command(List.of(PYTHON, "-c", code), Map.of("PYTHONUNBUFFERED", "1"), null);
    return runner.run(
        command,
        deadline,
        line -> {
          lines.add(line);
          threads.add(Thread.currentThread());
        });
  }

  @Test
  void output_reachesTheCallingThreadInOrder_andTheTailKeepsTheLastLines() {
    CommandResult result =
        python(
            "import sys\nfor i in range(100): print(i, file=sys.stderr if i % 2 else sys.stdout)\nsys.exit(3)",
            Deadline.none());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(lines).hasSize(100).startsWith("0", "1", "2").endsWith("99");
    assertThat(threads).containsOnly(Thread.currentThread());
    assertThat(result.tail().split("\n"))
        .hasSize(ProcessRunner.TAIL_LINES)
        .startsWith("60")
        .endsWith("99");
  }

  @Test
  void longLine_isCut() {
    python("print('x' * 20000)", Deadline.none());

    int max = ProcessRunner.MAX_LINE;
    assertThat(lines).extracting(String::length).containsExactly(max, max, 20000 - 2 * max);
  }

  @Test
  void pastTheDeadline_theProcessAndItsChildrenAreKilled() {
    long start = System.nanoTime();

    // Long enough for the child to be started and reported even on a busy machine.
    CommandResult result =
        python(
            START_SLEEPER + "import time; time.sleep(60)", Deadline.after(Duration.ofSeconds(15)));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isNull();
    // Killed at the deadline, not after the 60 s it would sleep: the bound only rules that out.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(40));
    assertThat(lines).as("the child's pid").hasSize(1);
    long child = Long.parseLong(lines.get(0));
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void aGrandchildHoldingTheOutputOpen_doesNotKeepTheRunnerWaiting() {
    long start = System.nanoTime();

    CommandResult result = python(START_SLEEPER, Deadline.after(Duration.ofSeconds(20)));

    try {
      assertThat(result.exitCode()).isZero();
      // Not the 30 s the grandchild holds the output: the bound only rules that out.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    } finally {
      // It is an orphan now, no longer this JVM's descendant: end it by its pid.
      ProcessHandle.of(Long.parseLong(lines.get(0))).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void programThatCannotStart_isASpawnExceptionNamingIt() {
    Command command = new Command(List.of("/no/such/program", "--flag"), Map.of(), null);

    assertThatThrownBy(() -> runner.run(command, Deadline.none(), line -> {}))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith("Cannot run '/no/such/program --flag': ");
  }
}
