package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import dev.synapse.internal.launch.LiveProcesses;
import dev.synapse.internal.launch.ProcessTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a child process with {@link ProcessBuilder}. A daemon thread reads its merged output into a
 * bounded queue and the calling thread takes the lines from there, so that the lines reach the
 * caller's listener on the caller's thread and the deadline is checked while the process is silent.
 * Lines are cut at {@value #MAX_LINE} characters.
 *
 * <p>Trap: a grandchild that outlives the process may keep the output pipe open, so end-of-output
 * is awaited only a short while (2 s) after the process itself has exited.
 *
 * <p>Every process is registered with {@link LiveProcesses} while it runs, so a JVM that exits
 * mid-install kills pip too, and it never outlives {@link #run}: on timeout, interrupt or any other
 * way out it is killed with its descendants.
 */
final class ProcessRunner implements CommandRunner {
  static final int MAX_LINE = 8192;
  static final int TAIL_LINES = 40;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);

  /** Marks the end of the output; compared by identity. */
  private static final String END = new String("end of output");

  private final long drainAfterExitNanos;

  ProcessRunner() {
    this(DRAIN_AFTER_EXIT);
  }

  /**
   * A runner that waits {@code drainAfterExit} for the end of the output once the process has
   * exited.
   */
  ProcessRunner(Duration drainAfterExit) {
    this.drainAfterExitNanos = drainAfterExit.toNanos();
  }

  @Override
  public CommandResult run(Command command, Deadline deadline, Consumer<String> output) {
    ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectErrorStream(true);
    if (command.directory() != null) {
      builder.directory(command.directory().toFile());
    }
    builder.environment().putAll(command.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new SpawnException("Cannot run '" + command.display() + "': " + e.getMessage(), e);
    }
    LiveProcesses.add(process);
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
    Thread reader =
        new Thread(() -> read(process.getInputStream(), lines), "synapse-env-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    Deque<String> tail = new ArrayDeque<>();
    try {
      closeQuietly(process);
      boolean ended =
          follow(
              process,
              lines,
              deadline,
              line -> {
                if (tail.size() == TAIL_LINES) {
                  tail.removeFirst();
                }
                tail.addLast(line);
                output.accept(line);
              });
      return new CommandResult(ended ? process.exitValue() : null, String.join("\n", tail));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpawnException(
          "Interrupted while running '" + command.display() + "'; it was killed", e);
    } finally {
      if (process.isAlive()) {
        ProcessTree.kill(process, ProcessTree.descendants(process));
      }
      LiveProcesses.remove(process);
      reader.interrupt();
    }
  }

  /**
   * Hands over lines until the output ends and the process exits; false if the deadline came first.
   */
  private boolean follow(
      Process process, BlockingQueue<String> lines, Deadline deadline, Consumer<String> sink)
      throws InterruptedException {
    long exitSeenAt = 0;
    while (true) {
      long remaining = deadline.remainingNanos();
      if (remaining <= 0) {
        return false;
      }
      String line = lines.poll(Math.min(remaining, POLL_NANOS), TimeUnit.NANOSECONDS);
      if (line == END) {
        break;
      }
      if (line != null) {
        sink.accept(line);
      } else if (!process.isAlive()) {
        if (exitSeenAt == 0) {
          exitSeenAt = System.nanoTime();
        } else if (System.nanoTime() - exitSeenAt > drainAfterExitNanos) {
          break;
        }
      }
    }
    if (!deadline.bounded()) {
      process.waitFor();
      return true;
    }
    return process.waitFor(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
  }

  /**
   * Runs on the reader thread: splits the output into lines until it ends or the runner gives up.
   */
  private static void read(InputStream stream, BlockingQueue<String> lines) {
    char[] buffer = new char[MAX_LINE];
    StringBuilder line = new StringBuilder();
    try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        for (int i = 0; i < n; i++) {
          char c = buffer[i];
          if (c == '\n' || line.length() >= MAX_LINE) {
            lines.put(line.toString());
            line.setLength(0);
          }
          if (c != '\n' && c != '\r') {
            line.append(c);
          }
        }
      }
      if (line.length() > 0) {
        lines.put(line.toString());
      }
      lines.put(END);
    } catch (IOException e) {
      // The process was killed and its pipe closed under us: the runner already stopped listening.
      lines.offer(END);
    } catch (InterruptedException e) {
      // The runner gave up on the output; nobody will take more lines.
    }
  }

  /** The child gets no input, so a prompt (pip asking for a password) fails instead of hanging. */
  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // The process already exited.
    }
  }
}
