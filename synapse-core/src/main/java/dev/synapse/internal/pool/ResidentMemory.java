package dev.synapse.internal.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads a process's resident set size from {@code /proc/PID/status} ({@code VmRSS}), which only
 * Linux has. Reading it costs a few microseconds and starts no process, so the pool can afford it
 * for every worker every second. Elsewhere nothing is read and memory recycling is off.
 */
final class ResidentMemory {
  private ResidentMemory() {}

  /** Whether this system exposes resident memory the way {@link #bytes} reads it. */
  static boolean supported() {
    return Files.isReadable(Path.of("/proc/self/status"));
  }

  /**
   * The resident memory of process {@code pid} in bytes; empty if it cannot be read (e.g. it is
   * gone).
   */
  static OptionalLong bytes(long pid) {
    try {
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(parseKilobytes(line.substring("VmRSS:".length())) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** {@code " 123456 kB"} to 123456. */
  static long parseKilobytes(String value) {
    String text = value.trim();
    int space = text.indexOf(' ');
    return Long.parseLong(space < 0 ? text : text.substring(0, space));
  }
}
