package dev.synapse.bench.soak;

import java.nio.file.Path;

/** The settings of a soak run, from system properties; see {@link SoakMain}. */
record SoakSettings(
    long seconds,
    int clients,
    String python,
    long killEveryMillis,
    long respawnEveryMillis,
    boolean stuck,
    Path modules,
    Path results,
    String label) {

  static SoakSettings fromSystemProperties() {
    return new SoakSettings(
        Long.getLong("soak.seconds", 180),
        Integer.getInteger("soak.clients", 6),
        System.getProperty("soak.python", "/usr/bin/python3"),
        Long.getLong("soak.killEveryMillis", 2500),
        Long.getLong("soak.respawnEveryMillis", 10_000),
        Boolean.parseBoolean(System.getProperty("soak.stuck", "true")),
        Path.of(System.getProperty("soak.modules", "synapse-bench/python")),
        Path.of(System.getProperty("soak.results", "bench/results")),
        System.getProperty("soak.label", "soak"));
  }
}
