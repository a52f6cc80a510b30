package dev.synapse.bench.soak;

import dev.synapse.bench.report.ResultsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The figures and verdict of a soak run, as the Markdown of its results file. */
final class SoakReport {
  /** How far the heap in use may end above where it started (collections are not exact). */
  static final long HEAP_TOLERANCE = 32L << 20;

  private final SoakSettings settings;
  private final double seconds;
  private final Ledger ledger;
  private final long kills;
  private final long respawns;
  private final long workerStarts;
  private final int children;
  private final List<Long> escapedChildren;
  private final long hungThreads;
  private final Resources before;
  private final Resources after;

  SoakReport(
      SoakSettings settings,
      double seconds,
      Ledger ledger,
      long kills,
      long respawns,
      long workerStarts,
      int children,
      List<Long> escapedChildren,
      long hungThreads,
      Resources before,
      Resources after) {
    this.settings = settings;
    this.seconds = seconds;
    this.ledger = ledger;
    this.kills = kills;
    this.respawns = respawns;
    this.workerStarts = workerStarts;
    this.children = children;
    this.escapedChildren = escapedChildren;
    this.hungThreads = hungThreads;
    this.before = before;
    this.after = after;
  }

  private List<String> leakedThreads() {
    List<String> left = new ArrayList<>(after.threads());
    left.removeAll(before.threads());
    return left;
  }

  private int leakedFds() {
    return before.fds() < 0 ? 0 : Math.max(0, after.fds() - before.fds());
  }

  private List<String> leakedTempFiles() {
    TreeSet<String> left = new TreeSet<>(after.tempFiles());
    left.removeAll(before.tempFiles());
    return List.copyOf(left);
  }

  private long leaks() {
    return leakedThreads().size()
        + leakedFds()
        + after.processes().size()
        + escapedChildren.size()
        + leakedTempFiles().size();
  }

  private long heapGrowth() {
    return after.heapBytes() - before.heapBytes();
  }

  boolean passed() {
    return ledger.lost() == 0
        && ledger.mismatched() == 0
        && ledger.duplicates() == 0
        && ledger.untyped() == 0
        && hungThreads == 0
        && leaks() == 0
        && heapGrowth() <= HEAP_TOLERANCE;
  }

  Path write(LocalDate date) throws IOException {
    return ResultsFile.write(settings.results(), date, settings.label(), false, text());
  }

  String text() {
    List<String> lines = new ArrayList<>();
    lines.add("# Soak run: " + settings.label());
    lines.add("");
    lines.add(
        "- Command: `mvn -q -pl synapse-bench -am package -DskipTests -Psoak -Dsoak.seconds="
            + settings.seconds()
            + "`");
    lines.add(
        "- JDK "
            + System.getProperty("java.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " processors; workers on "
            + settings.python());
    lines.add(
        "- Load: "
            + settings.clients()
            + " client threads on one instance and on a pool of 2 (recycled every 300 calls), a"
            + " worker SIGKILLed every "
            + settings.killEveryMillis()
            + " ms on average, a spawn-call-dispose cycle every "
            + settings.respawnEveryMillis()
            + " ms; handlers that never return "
            + (settings.stuck() ? "included" : "left out (soak.stuck=false)"));
    lines.add("- Verdict: **" + (passed() ? "passed" : "FAILED") + "**");
    lines.add("");
    lines.add("| Figure | Value |");
    lines.add("|---|--:|");
    row(lines, "Duration", String.format(Locale.ROOT, "%.0f s", seconds));
    row(lines, "Calls", ledger.begun());
    ledger.callsByKind().forEach((kind, count) -> row(lines, "&nbsp;&nbsp;" + kind, count));
    row(lines, "Faults: workers SIGKILLed", kills);
    row(lines, "Faults: spawn-call-dispose cycles", respawns);
    row(lines, "Workers started (restarts, recycling, first spawns)", workerStarts);
    row(lines, "Processes started by handlers in a session of their own", children);
    for (Map.Entry<String, Long> outcome : ledger.outcomes().entrySet()) {
      row(lines, "Settled: " + outcome.getKey(), outcome.getValue());
    }
    row(lines, "**Lost** (never settled)", ledger.lost());
    row(lines, "**Mismatched** (another call's answer)", ledger.mismatched());
    row(lines, "**Settled twice**", ledger.duplicates());
    row(lines, "**Untyped failures** (not a SynapseException)", ledger.untyped());
    row(lines, "**Client threads hung**", hungThreads);
    row(lines, "**Leaks**", leaks());
    row(lines, "&nbsp;&nbsp;Synapse threads left", leakedThreads().size());
    row(lines, "&nbsp;&nbsp;file descriptors left", leakedFds());
    row(lines, "&nbsp;&nbsp;processes left", after.processes().size() + escapedChildren.size());
    row(lines, "&nbsp;&nbsp;temporary files left", leakedTempFiles().size());
    row(
        lines,
        "Heap in use after GC, start → end",
        mib(before.heapBytes()) + " → " + mib(after.heapBytes()));
    row(lines, "Open file descriptors, start → end", before.fds() + " → " + after.fds());
    lines.add("");
    List<String> details = new ArrayList<>(ledger.examples());
    ledger
        .firstMessages()
        .forEach((type, message) -> details.add("first " + type + ": " + message));
    leakedThreads().forEach(t -> details.add("thread left: " + t));
    after.processes().forEach(p -> details.add("process left: " + p));
    escapedChildren.forEach(p -> details.add("handler's child left: " + p));
    leakedTempFiles().forEach(f -> details.add("temporary file left: " + f));
    if (!details.isEmpty()) {
      lines.add("Details:");
      lines.add("");
      details.forEach(d -> lines.add("- " + d));
      lines.add("");
    }
    return String.join("\n", lines);
  }

  private static void row(List<String> lines, String figure, Object value) {
    lines.add("| " + figure + " | " + value + " |");
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
