package dev.synapse.bench.soak;

import dev.synapse.Synapse;
import dev.synapse.SynapsePool;
import dev.synapse.WorkerInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The faults of the soak run, on a thread of their own until the deadline: every {@code killEvery}
 * on average, SIGKILL of a random worker (of the single instance or the pool); every {@code
 * respawnEvery}, a third instance spawned, called once and disposed (a worker's whole life on the
 * same JVM).
 */
final class Chaos implements Runnable {
  private final Synapse single;
  private final SynapsePool pool;
  private final Synapse.Builder respawned;
  private final Path module;
  private final Ledger ledger;
  private final long deadlineNanos;
  private final long killEveryMillis;
  private final long respawnEveryMillis;
  final LongAdder kills = new LongAdder();
  final LongAdder respawns = new LongAdder();

  Chaos(
      Synapse single,
      SynapsePool pool,
      Synapse.Builder respawned,
      Path module,
      Ledger ledger,
      long deadlineNanos,
      long killEveryMillis,
      long respawnEveryMillis) {
    this.single = single;
    this.pool = pool;
    this.respawned = respawned;
    this.module = module;
    this.ledger = ledger;
    this.deadlineNanos = deadlineNanos;
    this.killEveryMillis = killEveryMillis;
    this.respawnEveryMillis = respawnEveryMillis;
  }

  @Override
  public void run() {
    Random random = new Random();
    long nextRespawn = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(respawnEveryMillis);
    while (System.nanoTime() < deadlineNanos) {
      SoakClient.sleep(killEveryMillis / 2 + random.nextInt((int) killEveryMillis));
      killOneWorker(random);
      if (System.nanoTime() > nextRespawn) {
        respawnCycle();
        nextRespawn = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(respawnEveryMillis);
      }
    }
  }

  private void killOneWorker(Random random) {
    List<WorkerInfo> workers = pool.workers();
    WorkerInfo victim =
        random.nextInt(workers.size() + 1) == 0
            ? single.workerInfo().orElse(null)
            : workers.get(random.nextInt(workers.size()));
    if (victim != null
        && ProcessHandle.of(victim.pid()).map(ProcessHandle::destroyForcibly).orElse(false)) {
      kills.increment();
    }
  }

  private void respawnCycle() {
    try (Synapse synapse = respawned.build()) {
      synapse.spawn(module, "main");
      long token = ledger.begin("call on a fresh spawn");
      try {
        Object answer = synapse.invoke("echo", List.of(token, "r"));
        ledger.answered(token, List.of(token, "r").equals(answer), answer);
      } catch (RuntimeException e) {
        ledger.failed(token, e);
      }
      respawns.increment();
    }
  }
}
