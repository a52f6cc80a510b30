package dev.synapse.bench;

import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.jmh.JmhProfile;
import dev.synapse.bench.suite.Suite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings of one benchmark run, read from system properties that the module's pom passes in
 * (each can be overridden on the mvn command line with {@code -Dname=value}):
 *
 * <ul>
 *   <li>{@code bench.quick} — a smoke run of about a minute instead of about five;
 *   <li>{@code bench.python} — the interpreter measured (default Debian's {@code /usr/bin/python3},
 *       with msgpack's C codec);
 *   <li>{@code bench.purePython} — the interpreter of the pure-Python-codec row (default {@code
 *       python3}, the first on PATH); {@code bench.pure=false} leaves that row out;
 *   <li>{@code bench.suites} — a comma-separated subset of the suites' ids to run;
 *   <li>{@code bench.baseline} — the classpath of an older build, for the {@code versus} suite;
 *   <li>{@code bench.workerEnv} — extra environment variables for the Synapse workers ({@code
 *       NAME=value,...}), to try a setting without changing the core;
 *   <li>{@code bench.forkJvmArgs} — extra JVM options for JMH's forked JVMs, separated by spaces
 *       (e.g. {@code -XX:+AlwaysPreTouch});
 *   <li>{@code bench.label}, {@code bench.results} — the results file's name and directory;
 *   <li>{@code bench.logs} — where JMH's own reports go.
 * </ul>
 *
 * <p>The durations are chosen to keep a full run within about five minutes on two cores.
 */
public record BenchSettings(
    boolean quick,
    String python,
    String purePython,
    boolean pure,
    Set<String> suites,
    String label,
    Path results,
    Path logs,
    JmhProfile latency,
    JmhProfile throughput,
    JmhProfile payload,
    int spawnRepetitions,
    int allocationWarmupCalls,
    int allocationCalls,
    int allocationRepetitions) {

  /** The settings the system properties describe. */
  public static BenchSettings fromSystemProperties() {
    boolean quick = Boolean.getBoolean("bench.quick");
    String suites = System.getProperty("bench.suites", "");
    return new BenchSettings(
        quick,
        BenchModules.python(),
        System.getProperty("bench.purePython", "python3"),
        Boolean.parseBoolean(System.getProperty("bench.pure", "true")),
        Arrays.stream(suites.split(","))
            .map(String::trim)
            .filter(id -> !id.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        System.getProperty("bench.label", "run"),
        Path.of(System.getProperty("bench.results", "bench/results")).toAbsolutePath().normalize(),
        Path.of(System.getProperty("bench.logs", "target/jmh")).toAbsolutePath().normalize(),
        quick ? quickProfile() : new JmhProfile(2, 3, 4, Duration.ofSeconds(1)),
        quick ? quickProfile() : new JmhProfile(2, 2, 4, Duration.ofSeconds(1)),
        quick ? quickProfile() : new JmhProfile(1, 1, 3, Duration.ofSeconds(1)),
        quick ? 3 : 30,
        quick ? 5_000 : 50_000,
        quick ? 5_000 : 20_000,
        quick ? 2 : 5);
  }

  private static JmhProfile quickProfile() {
    return new JmhProfile(1, 1, 2, Duration.ofMillis(500));
  }

  /** Whether {@code suite} is to run: named, or run by default when no suite is named. */
  public boolean runs(Suite suite) {
    return suites.isEmpty() ? suite.runsByDefault() : suites.contains(suite.id());
  }
}
