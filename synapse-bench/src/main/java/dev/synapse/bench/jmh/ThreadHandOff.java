package dev.synapse.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The machine's ceiling for blocking calls, with no Synapse, no pipe and no Python: 1, 4 or 16 Java
 * threads each hand a {@link CompletableFuture} to one completing thread through a {@link
 * LinkedBlockingQueue} and block until it is completed. That is the thread structure of {@link
 * SynapseConcurrency} (callers block on a future, one reader thread completes them) with the I/O
 * taken out, so each operation costs what waking the completer and being woken by it costs. The
 * completer takes a future, drains whatever else is queued, and completes them all, as a reader
 * that finds several answers in one read would: the most favourable case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThreadHandOff {
  private static final Object ANSWER = Boolean.TRUE;

  private final LinkedBlockingQueue<CompletableFuture<Object>> queue = new LinkedBlockingQueue<>();
  private Thread completer;

  /** Starts the completing thread, shared by all benchmark threads. */
  @Setup(Level.Trial)
  public void start() {
    completer = new Thread(this::completeAll, "hand-off-completer");
    completer.setDaemon(true);
    completer.start();
  }

  /** Stops the completing thread; by then no benchmark thread is waiting. */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    completer.interrupt();
    completer.join();
  }

  private void completeAll() {
    List<CompletableFuture<Object>> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch);
        for (CompletableFuture<Object> future : batch) {
          future.complete(ANSWER);
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      // stop(): the trial is over.
    }
  }

  /** One hand-off: queue a future for the completer and block until it completes it. */
  private Object handOff() {
    CompletableFuture<Object> future = new CompletableFuture<>();
    queue.add(future);
    return future.join();
  }

  /** One thread. */
  @Benchmark
  @Threads(1)
  public Object threads1() {
    return handOff();
  }

  /** Four threads. */
  @Benchmark
  @Threads(4)
  public Object threads4() {
    return handOff();
  }

  /** Sixteen threads. */
  @Benchmark
  @Threads(16)
  public Object threads16() {
    return handOff();
  }
}
