package dev.synapse.bench.versus;

import dev.synapse.Synapse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One side of a same-run comparison ({@code VersusSuite}): a JVM of its own, on the classpath of
 * the Synapse being measured, that spawns the echo module and times calls when its parent asks.
 *
 * <p>It uses only the API that every Synapse since the first release has ({@code builder()}, {@code
 * python}, {@code useInterpreterAsIs}, {@code environment}, {@code spawn}, {@code call}), so that
 * one class runs against this tree and against an older build; the builder's setters are called by
 * reflection, since their return types changed. Arguments: the interpreter, the module's directory,
 * then {@code NAME=value} environment variables for the worker. Commands, one per line on stdin,
 * each answered with one line on stdout:
 *
 * <ul>
 *   <li>{@code rt N}: N sequential calls, each timed; answers {@code p50 p99} in nanoseconds;
 *   <li>{@code tp THREADS MILLIS}: THREADS threads calling for MILLIS after a warm-up of a fifth of
 *       that; answers the calls per second;
 *   <li>{@code sp N}: N times in turn, a new instance built, the module spawned and called once,
 *       the instance closed; answers the median time from build to the first answer, in
 *       nanoseconds;
 *   <li>{@code quit}: closes the worker and exits.
 * </ul>
 */
public final class VersusChild {
  private static final Map<String, Object> FOO_BAR = Map.of("foo", "bar");

  private VersusChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Synapse synapse = spawned(args)) {
      out.println("ready");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] command = line.split(" ");
        switch (command[0]) {
          case "rt" -> out.println(roundTrips(synapse, Integer.parseInt(command[1])));
          case "sp" -> out.println(spawns(args, Integer.parseInt(command[1])));
          case "tp" ->
              out.println(
                  callsPerSecond(
                      synapse, Integer.parseInt(command[1]), Long.parseLong(command[2])));
          case "quit" -> {
            return;
          }
          default -> throw new IllegalArgumentException("unknown command: " + line);
        }
      }
    }
  }

  /** A new instance built from the command line's arguments, its echo module spawned and called. */
  private static Synapse spawned(String[] args) throws ReflectiveOperationException {
    Object builder = Synapse.builder();
    set(builder, "python", String.class, args[0]);
    set(builder, "useInterpreterAsIs", boolean.class, true);
    for (int i = 2; i < args.length; i++) {
      int equals = args[i].indexOf('=');
      builder
          .getClass()
          .getMethod("environment", String.class, String.class)
          .invoke(builder, args[i].substring(0, equals), args[i].substring(equals + 1));
    }
    Synapse synapse = (Synapse) builder.getClass().getMethod("build").invoke(builder);
    try {
      synapse.spawn(Path.of(args[1]), "main");
      if (!FOO_BAR.equals(synapse.call(FOO_BAR))) {
        throw new IllegalStateException("the echo module answered something else");
      }
      return synapse;
    } catch (RuntimeException e) {
      synapse.close();
      throw e;
    }
  }

  private static long spawns(String[] args, int count) throws ReflectiveOperationException {
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      Synapse synapse = spawned(args);
      nanos[i] = System.nanoTime() - start;
      synapse.close();
    }
    Arrays.sort(nanos);
    return nanos[count / 2];
  }

  /**
   * Calls a builder's setter by name: its return type differs between releases (the builder, or the
   * settings class it extends), which a compiled call would name.
   */
  private static void set(Object builder, String setter, Class<?> type, Object value)
      throws ReflectiveOperationException {
    builder.getClass().getMethod(setter, type).invoke(builder, value);
  }

  private static String roundTrips(Synapse synapse, int calls) {
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      synapse.call(FOO_BAR);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[calls / 2] + " " + nanos[(int) (calls * 0.99)];
  }

  private static long callsPerSecond(Synapse synapse, int threads, long millis)
      throws InterruptedException {
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder calls = new LongAdder();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    synapse.call(FOO_BAR);
                    if (counting.get()) {
                      calls.increment();
                    }
                  }
                } finally {
                  done.countDown();
                }
              });
      thread.setDaemon(true);
      thread.start();
    }
    Thread.sleep(millis / 5);
    counting.set(true);
    long start = System.nanoTime();
    Thread.sleep(millis);
    counting.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    done.await();
    return Math.round(calls.sum() * 1e9 / elapsed);
  }
}
