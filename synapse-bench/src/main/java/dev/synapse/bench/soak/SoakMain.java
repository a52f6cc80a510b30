package dev.synapse.bench.soak;

import dev.synapse.RestartPolicy;
import dev.synapse.Synapse;
import dev.synapse.SynapseListener;
import dev.synapse.SynapsePool;
import dev.synapse.WorkerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak run: one JVM, a single instance and a pool of the {@code soak} module under mixed load
 * ({@link SoakClient}) and faults ({@link Chaos}) for {@code soak.seconds}; then everything is
 * disposed and the invariants are checked: every call settled exactly once with its own answer or a
 * typed exception, and no Synapse thread, file descriptor, process or temporary file left, the heap
 * back near where it started. Writes {@code bench/results/<date>-<label>.md} ({@link SoakReport})
 * and exits with 1 if an invariant failed.
 *
 * <p>Settings (system properties): {@code soak.seconds} (180), {@code soak.clients} (6 threads),
 * {@code soak.python} ({@code /usr/bin/python3}), {@code soak.killEveryMillis} (2500), {@code
 * soak.respawnEveryMillis} (10000), {@code soak.stuck} (true: some calls go to handlers that never
 * return), {@code soak.modules}, {@code soak.results}, {@code soak.label} ({@code soak}).
 */
public final class SoakMain {
  /** Idle threads of Synapse's shared cached executors end after 60 s. */
  private static final Duration SETTLE = Duration.ofSeconds(75);

  private SoakMain() {}

  public static void main(String[] args) throws Exception {
    SoakSettings settings = SoakSettings.fromSystemProperties();
    Path module = settings.modules().resolve("soak").toAbsolutePath();
    LongAdder workerStarts = new LongAdder();
    SynapseListener listener =
        new SynapseListener() {
          @Override
          public void onWorkerStarted(String name, long pid) {
            workerStarts.increment();
          }
        };
    RestartPolicy restarts =
        RestartPolicy.onCrash(100_000, Duration.ofMinutes(1), Duration.ZERO, Duration.ZERO);

    // Shared daemon threads (the pools' timer, the descendants' tracker) start on first use and
    // live as long as the JVM: the warm-up starts them before the baseline is taken.
    try (Synapse warmUp = workers(Synapse.builder(), settings).build();
        SynapsePool warmUpPool =
            workers(SynapsePool.builder(), settings)
                .size(1)
                .recycleAboveResidentMemory(1L << 40) // starts the pools' timer thread
                .build()) {
      warmUp.spawn(module, "main");
      warmUp.invoke("echo", List.of(0L, "warm-up"));
      warmUpPool.spawn(module, "main");
      warmUpPool.invoke("echo", List.of(0L, "warm-up"));
    }
    Resources before = Resources.now();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(settings.seconds());

    Ledger ledger = new Ledger();
    Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    Set<Long> children = ConcurrentHashMap.newKeySet();
    Synapse single =
        workers(Synapse.builder(), settings).listener(listener).restartPolicy(restarts).build();
    SynapsePool pool =
        workers(SynapsePool.builder(), settings)
            .listener(listener)
            .size(2)
            .recycleAfterCalls(300)
            .restartPolicy(restarts)
            .build();
    single.spawn(module, "main");
    pool.spawn(module, "main");

    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < settings.clients(); i++) {
      threads.add(
          new Thread(
              new SoakClient(single, pool, ledger, deadline, settings.stuck(), pending, children),
              "soak-client-" + i));
    }
    Chaos chaos =
        new Chaos(
            single,
            pool,
            workers(Synapse.builder(), settings),
            module,
            ledger,
            deadline,
            settings.killEveryMillis(),
            settings.respawnEveryMillis());
    threads.add(new Thread(chaos, "soak-chaos"));
    threads.forEach(Thread::start);
    long hung = 0;
    for (Thread thread : threads) {
      thread.join(
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 60_000);
      hung += thread.isAlive() ? 1 : 0;
    }
    awaitPending(pending);
    double seconds = (System.nanoTime() - start) / 1e9;
    single.dispose();
    pool.dispose();

    Resources after = settle(before);
    List<Long> escaped = children.stream().filter(SoakMain::alive).toList();
    escaped.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));

    SoakReport report =
        new SoakReport(
            settings,
            seconds,
            ledger,
            chaos.kills.sum(),
            chaos.respawns.sum(),
            workerStarts.sum(),
            children.size(),
            escaped,
            hung,
            before,
            after);
    Path file = report.write(LocalDate.now());
    System.out.println(report.text());
    System.err.println("Results: " + file);
    System.exit(report.passed() ? 0 : 1);
  }

  private static <B extends WorkerSettings<B>> B workers(B builder, SoakSettings settings) {
    return builder
        .python(settings.python())
        .useInterpreterAsIs(true)
        .callTimeout(Duration.ofSeconds(30));
  }

  private static void awaitPending(Set<CompletableFuture<?>> pending) {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Whatever did not complete is counted as lost by the ledger.
    }
  }

  /** Waits until Synapse's threads and the processes are gone again, or the time is up. */
  private static Resources settle(Resources before) throws InterruptedException {
    long until = System.nanoTime() + SETTLE.toNanos();
    Resources now = Resources.now();
    while (System.nanoTime() < until
        && (!now.processes().isEmpty()
            || !before.threads().containsAll(now.threads())
            || now.fds() > before.fds())) {
      TimeUnit.MILLISECONDS.sleep(200);
      now = Resources.now();
    }
    return now;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
