package dev.synapse.cli;

import dev.synapse.SpawnPhase;
import dev.synapse.internal.env.EnvironmentProgress;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * Shows a preparation as it goes. On a terminal: each decision and pip line as it comes, and below
 * them a status line with a bar of the packages pip collected out of those the requirements name
 * (the one length known in advance; pip may collect more, as dependencies, and then the bar shows
 * the count alone). Elsewhere (CI logs, a Docker build): plain lines only, nothing rewritten.
 */
final class ConsoleProgress implements EnvironmentProgress {
  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean terminal;
  private final int expectedPackages;
  private int collected;
  private boolean statusShown;
  private int phases;

  ConsoleProgress(PrintStream out, boolean terminal, int expectedPackages) {
    this.out = out;
    this.terminal = terminal;
    this.expectedPackages = expectedPackages;
  }

  /**
   * Whether this process writes to a terminal (on JDK 22 and later, {@code Console.isTerminal}).
   */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Before JDK 22 a console exists only for a terminal.
    }
  }

  /** How many steps were reported: 0 means the venv was up to date. */
  int phases() {
    return phases;
  }

  @Override
  public void notice(String message) {
    line(terminal ? "» " + message : message);
  }

  @Override
  public void phase(SpawnPhase phase, long elapsedMillis) {
    phases++;
    String what =
        phase == SpawnPhase.CREATING_VENV ? "created the venv" : "installed the requirements";
    line(
        terminal
            ? "✓ " + what + " in " + millis(elapsedMillis)
            : phase + " took " + elapsedMillis + " ms");
  }

  @Override
  public void installOutput(String text) {
    if (text.stripLeading().startsWith("Collecting ")) {
      collected++;
    }
    line(terminal ? "  " + text : "pip: " + text);
    if (terminal) {
      status(text.strip());
    }
  }

  /** Ends the status line, if one is shown. */
  void finish() {
    clearStatus();
  }

  private void line(String text) {
    clearStatus();
    out.println(text);
    out.flush();
  }

  private void status(String last) {
    StringBuilder status = new StringBuilder();
    if (expectedPackages > 0 && collected <= expectedPackages) {
      int filled = collected * BAR_WIDTH / expectedPackages;
      status
          .append('[')
          .append("#".repeat(filled))
          .append("-".repeat(BAR_WIDTH - filled))
          .append("] ")
          .append(collected)
          .append('/')
          .append(expectedPackages);
    } else {
      status.append(collected).append(" collected");
    }
    status.append("  ").append(last.length() > 60 ? last.substring(0, 57) + "..." : last);
    out.print("\r" + status + "\033[K");
    out.flush();
    statusShown = true;
  }

  private void clearStatus() {
    if (statusShown) {
      out.print("\r\033[K");
      statusShown = false;
    }
  }

  private static String millis(long millis) {
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
