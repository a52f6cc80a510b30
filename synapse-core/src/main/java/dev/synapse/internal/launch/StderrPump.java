package dev.synapse.internal.launch;

import dev.synapse.LogLine;
import dev.synapse.SynapseListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Reads a worker's stderr line by line on its own thread: each line goes to the SLF4J logger named
 * by {@link #loggerName} and to the listener, and the last lines are kept for the exceptions that
 * report a dead worker. Lines are cut at {@value #MAX_LINE} characters so that output without line
 * breaks cannot exhaust the heap.
 */
public final class StderrPump {
  static final int MAX_LINE = 8192;
  private static final int TAIL_LINES = 40;
  private static final String PREFIX = "[pysynapse:";

  private final String module;
  private final SynapseListener listener;
  private final Logger logger;
  private final Deque<String> tail = new ArrayDeque<>();
  private final CompletableFuture<InputStream> stream = new CompletableFuture<>();
  private final Thread thread;

  /**
   * Starts the pump's daemon thread, which waits for {@link #read} or {@link #abandon}. A worker's
   * pump is started before its process: on a small VM, the first thread a JVM started right after a
   * spawn took 1–2 ms to start, against about 0.2 ms before it, all of it on the spawn's path.
   *
   * @param script the module's entrypoint file
   * @param module the entrypoint's name without {@code .py}, as given to {@code spawn}
   */
  public StderrPump(Path script, String module, SynapseListener listener) {
    this.module = module;
    this.listener = listener;
    this.logger = LoggerFactory.getLogger(loggerName(script, module));
    this.thread = new Thread(this::run, "synapse-stderr-" + module);
    thread.setDaemon(true);
    thread.start();
  }

  /** Pumps {@code stderr}, the stream of process {@code pid}; called once, unless abandoned. */
  public void read(InputStream stderr, long pid) {
    thread.setName("synapse-stderr-" + module + "-" + pid);
    stream.complete(stderr);
  }

  /** The process never started: the thread ends without reading anything. */
  public void abandon() {
    stream.complete(null);
  }

  /**
   * The logger of a worker's lines: {@code synapse.<module directory's name>.<entrypoint>}, e.g.
   * {@code synapse.fraud_model.main}, so that two modules with the same entrypoint can be told
   * apart (and configured) by their directory. An entrypoint in a subdirectory ({@code tools/main})
   * gives {@code synapse.<directory>.tools.main}; dots and spaces inside a name become {@code _},
   * so that the logger hierarchy is exactly directory, then entrypoint.
   */
  public static String loggerName(Path script, String module) {
    Path relative = Path.of(module).normalize();
    Path directory = script.getParent();
    for (int i = 1; i < relative.getNameCount() && directory != null; i++) {
      directory = directory.getParent();
    }
    StringBuilder name = new StringBuilder("synapse");
    if (directory != null && directory.getFileName() != null) {
      name.append('.').append(loggerPart(directory.getFileName().toString()));
    }
    for (Path part : relative) {
      name.append('.').append(loggerPart(part.toString()));
    }
    return name.toString();
  }

  private static String loggerPart(String name) {
    return name.replaceAll("[.\\s]", "_");
  }

  /** Waits up to {@code millis} for the stream to end, so the tail is complete. */
  public void awaitEnd(long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines read, oldest first, joined with line breaks. */
  public String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  private void run() {
    InputStream stderr = stream.join();
    if (stderr == null) {
      return;
    }
    Reader reader = new InputStreamReader(stderr, StandardCharsets.UTF_8);
    char[] buffer = new char[MAX_LINE];
    StringBuilder line = new StringBuilder();
    try {
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        for (int i = 0; i < n; i++) {
          char c = buffer[i];
          if (c == '\n') {
            emit(line);
          } else if (c != '\r') {
            line.append(c);
            if (line.length() >= MAX_LINE) {
              emit(line);
            }
          }
        }
      }
    } catch (IOException e) {
      // The stream closes when the worker is killed; nothing more will come.
    }
    if (line.length() > 0) {
      emit(line);
    }
  }

  private void emit(StringBuilder text) {
    LogLine line = parse(text.toString());
    text.setLength(0);
    synchronized (tail) {
      if (tail.size() == TAIL_LINES) {
        tail.removeFirst();
      }
      tail.addLast(
          line.logger().isEmpty()
              ? line.text()
              : line.level() + " " + line.logger() + ": " + line.text());
    }
    logger
        .atLevel(line.level())
        .log(line.logger().isEmpty() ? line.text() : line.logger() + ": " + line.text());
    try {
      listener.onLog(line);
    } catch (RuntimeException e) {
      logger.warn("The listener failed on a log line", e);
    }
  }

  /** Splits a {@code [pysynapse:LEVEL:logger] text} line; any other line is plain INFO output. */
  LogLine parse(String text) {
    if (text.startsWith(PREFIX)) {
      int levelEnd = text.indexOf(':', PREFIX.length());
      int close = text.indexOf("] ", Math.max(levelEnd, 0));
      if (levelEnd > 0 && close > levelEnd) {
        Level level = level(text.substring(PREFIX.length(), levelEnd));
        return new LogLine(
            module, level, text.substring(levelEnd + 1, close), text.substring(close + 2));
      }
    }
    return new LogLine(module, Level.INFO, "", text);
  }

  private static Level level(String pythonLevel) {
    switch (pythonLevel) {
      case "DEBUG":
        return Level.DEBUG;
      case "WARNING":
        return Level.WARN;
      case "ERROR":
      case "CRITICAL":
        return Level.ERROR;
      default:
        return Level.INFO;
    }
  }
}
