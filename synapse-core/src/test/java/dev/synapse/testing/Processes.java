package dev.synapse.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The state of processes, from /proc (Linux). */
public final class Processes {
  private Processes() {}

  /** Whether the process runs; a zombie that nobody has reaped yet is dead already. */
  public static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
