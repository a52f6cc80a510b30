package dev.synapse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How busy the machine was with work other than the benchmark, from {@code /proc}: on a two-core
 * machine one other busy process halves what the figures can be, and a results file must say so.
 * Two readings: the share of the CPUs busy in the second before the run, and the share of all CPU
 * time during the run that went to processes outside the benchmark's own tree (total busy time from
 * {@code /proc/stat} minus this JVM's and its reaped children's — JMH forks, and through them the
 * workers — from {@code /proc/self/stat}). Elsewhere than Linux both read "unknown".
 */
public final class MachineLoad {
  private static final double NOT_IDLE_PERCENT = 10;

  private final String before;
  private final long[] cpuAtStart;
  private final long selfAtStart;

  private MachineLoad(String before, long[] cpuAtStart, long selfAtStart) {
    this.before = before;
    this.cpuAtStart = cpuAtStart;
    this.selfAtStart = selfAtStart;
  }

  /** Samples the machine for one second, then starts counting. */
  public static MachineLoad start() {
    try {
      long[] first = cpuTimes();
      Thread.sleep(1000);
      long[] second = cpuTimes();
      double busy =
          100.0 * (busy(second) - busy(first)) / Math.max(1, total(second) - total(first));
      return new MachineLoad(
          flagged(busy, "of the CPUs busy in the second before the run"), second, selfTimes());
    } catch (IOException | RuntimeException e) {
      return new MachineLoad("unknown", null, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new MachineLoad("unknown", null, 0);
    }
  }

  /** Both readings, as one line of text. */
  public String describe() {
    if (cpuAtStart == null) {
      return before;
    }
    try {
      long[] now = cpuTimes();
      long others = (busy(now) - busy(cpuAtStart)) - (selfTimes() - selfAtStart);
      double share = 100.0 * Math.max(0, others) / Math.max(1, total(now) - total(cpuAtStart));
      return before
          + "; "
          + flagged(share, "of all CPU time during the run went to other processes");
    } catch (IOException | RuntimeException e) {
      return before + "; during the run: unknown";
    }
  }

  private static String flagged(double percent, String what) {
    String text = String.format(Locale.ROOT, "%.0f%% %s", percent, what);
    return percent > NOT_IDLE_PERCENT
        ? text + " (**the machine was not idle: figures are not comparable**)"
        : text;
  }

  /**
   * The aggregate "cpu" line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal.
   */
  private static long[] cpuTimes() throws IOException {
    String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
    return Arrays.stream(line.trim().split("\\s+"))
        .skip(1)
        .limit(8)
        .mapToLong(Long::parseLong)
        .toArray();
  }

  private static long total(long[] times) {
    return Arrays.stream(times).sum();
  }

  private static long busy(long[] times) {
    return total(times) - times[3] - times[4];
  }

  /** utime + stime + cutime + cstime of this JVM, in the same clock ticks as /proc/stat. */
  private static long selfTimes() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long total = 0;
    for (int i = 11; i <= 14; i++) {
      total += Long.parseLong(fields[i]);
    }
    return total;
  }
}
