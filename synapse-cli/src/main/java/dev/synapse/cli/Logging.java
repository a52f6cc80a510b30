package dev.synapse.cli;

import java.util.List;

/**
 * Sets up slf4j-simple before the first logger exists: the command prints what matters itself
 * (phases, pip's lines, decisions), so Synapse's own log lines show only as errors, or all of them
 * with {@code --verbose}.
 */
final class Logging {
  private Logging() {}

  static void configure(String[] args) {
    boolean verbose = List.of(args).contains("--verbose") || List.of(args).contains("-v");
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
