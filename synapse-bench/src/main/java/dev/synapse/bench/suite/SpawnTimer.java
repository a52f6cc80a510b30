package dev.synapse.bench.suite;

import dev.synapse.SpawnPhase;
import dev.synapse.Synapse;
import dev.synapse.SynapseListener;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.fixture.Workers;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times, in milliseconds, how long a worker takes from nothing to its first answer, and how long a
 * bare interpreter takes from nothing to its first frame: the two sides of every spawn figure,
 * measured the same way (from just before the process is asked for to just after the frame is read;
 * the process's exit is not counted).
 */
final class SpawnTimer {
  private static final byte[] READY_FRAME = {5, 0, 0, 0, 'r', 'e', 'a', 'd', 'y'};

  private SpawnTimer() {}

  /**
   * A new instance built by {@code settings} spawning {@code moduleDir/main.py}, and one call
   * answered.
   */
  static double synapseToFirstAnswer(Supplier<Synapse.Builder> settings, Path moduleDir) {
    return synapsePhases(settings, moduleDir).total();
  }

  /**
   * Where the time of {@link #synapseToFirstAnswer} went, in milliseconds.
   *
   * @param total from the builder to the first answer
   * @param starting the spawn's {@link SpawnPhase#STARTING} (from the process being asked for until
   *     its READY frame was taken in; whole milliseconds, as the listener reports it)
   * @param firstCall from {@code spawn}'s return to the first answer
   */
  record Phases(double total, double starting, double firstCall) {
    /** Everything else: settings, the module's paths and environment, the process's set-up. */
    double rest() {
      return total - starting - firstCall;
    }
  }

  static Phases synapsePhases(Supplier<Synapse.Builder> settings, Path moduleDir) {
    long[] startingMillis = {0};
    SynapseListener phases =
        new SynapseListener() {
          @Override
          public void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {
            if (phase == SpawnPhase.STARTING) {
              startingMillis[0] = elapsedMillis;
            }
          }
        };
    long start = System.nanoTime();
    Synapse synapse = settings.get().listener(phases).build();
    try {
      synapse.spawn(moduleDir, "main");
      long spawned = System.nanoTime();
      Workers.checkEcho(synapse);
      return new Phases(millisSince(start), startingMillis[0], millisSince(spawned));
    } finally {
      synapse.close();
    }
  }

  /**
   * {@code raw/bare_ready.py} on {@code python}, importing {@code imports}, until its frame is
   * read.
   */
  static double bareToFirstFrame(String python, List<String> imports)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of(python, BenchModules.rawScript("bare_ready.py").toString()));
    command.addAll(imports);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(Redirect.INHERIT);
    long start = System.nanoTime();
    Process process = builder.start();
    byte[] frame;
    try (InputStream out = process.getInputStream()) {
      frame = out.readNBytes(READY_FRAME.length);
    }
    double millis = millisSince(start);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    if (!java.util.Arrays.equals(frame, READY_FRAME)) {
      throw new IOException(
          "bare_ready.py "
              + imports
              + " on "
              + python
              + " wrote '"
              + new String(frame, StandardCharsets.ISO_8859_1)
              + "' instead of its frame");
    }
    return millis;
  }

  private static double millisSince(long start) {
    return (System.nanoTime() - start) / 1e6;
  }
}
