package dev.synapse.bench.soak;

import dev.synapse.Request;
import dev.synapse.Synapse;
import dev.synapse.SynapseCalls;
import dev.synapse.SynapsePool;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One thread of the soak run's load: until the deadline, picks an operation at random (small and
 * large calls both ways, async calls, streams read to the end or closed early, calls that time out,
 * async calls cancelled, now and then a handler that starts a process in a session of its own) on
 * the single instance or the pool, and settles each call in the {@link Ledger}.
 */
final class SoakClient implements Runnable {
  private final Synapse single;
  private final SynapsePool pool;
  private final Ledger ledger;
  private final long deadlineNanos;
  private final boolean stuck;
  private final Set<CompletableFuture<?>> pending;
  private final Set<Long> children;

  SoakClient(
      Synapse single,
      SynapsePool pool,
      Ledger ledger,
      long deadlineNanos,
      boolean stuck,
      Set<CompletableFuture<?>> pending,
      Set<Long> children) {
    this.single = single;
    this.pool = pool;
    this.ledger = ledger;
    this.deadlineNanos = deadlineNanos;
    this.stuck = stuck;
    this.pending = pending;
    this.children = children;
  }

  @Override
  public void run() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (System.nanoTime() < deadlineNanos) {
      SynapseCalls target = random.nextBoolean() ? single : pool;
      int dice = random.nextInt(1000);
      if (dice < 500) {
        small(target);
      } else if (dice < 600) {
        large(target, random);
      } else if (dice < 680) {
        blob(target, random);
      } else if (dice < 800) {
        async(target);
      } else if (dice < 880) {
        stream(random);
      } else if (dice < 930) {
        timeout(target, random);
      } else if (dice < 985) {
        cancel(target, random);
      } else if (dice < 987) {
        sessionChild(target);
      } else if (stuck && dice < 989) {
        stuck(target);
      } else {
        nap(target, random);
      }
    }
  }

  private void small(SynapseCalls target) {
    long token = ledger.begin("small call");
    List<Object> input = List.of(token, "x" + token);
    try {
      Object answer = target.invoke("echo", input);
      ledger.answered(token, input.equals(answer), answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  /** 1 KiB to 8 MiB, a few up to 32 MiB, each filled from its token. */
  private void large(SynapseCalls target, Random random) {
    long token = ledger.begin("large call");
    int size = random.nextInt(50) == 0 ? 32 << 20 : 1024 << random.nextInt(14);
    byte[] data = new byte[size];
    new Random(token).nextBytes(data);
    try {
      Object answer = target.invoke("echo", List.of(token, data));
      boolean own =
          answer instanceof List<?> list
              && Long.valueOf(token).equals(list.get(0))
              && list.get(1) instanceof byte[] back
              && Arrays.equals(back, data);
      ledger.answered(token, own, own ? "" : answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  private void blob(SynapseCalls target, Random random) {
    long token = ledger.begin("large answer");
    int size = 1024 << random.nextInt(14);
    try {
      Object answer = target.invoke("blob", List.of(token, size));
      boolean own =
          answer instanceof List<?> list
              && Long.valueOf(token).equals(list.get(0))
              && list.get(1) instanceof byte[] back
              && back.length == size;
      ledger.answered(token, own, own ? "" : answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  private void async(SynapseCalls target) {
    long token = ledger.begin("async call");
    List<Object> input = List.of(token, "a" + token);
    track(target.invokeAsync("echo", input), token, input);
  }

  private void track(CompletableFuture<Object> future, long token, Object expected) {
    pending.add(future);
    future.whenComplete(
        (answer, failure) -> {
          if (failure != null) {
            ledger.failed(token, failure);
          } else {
            ledger.answered(token, expected.equals(answer), answer);
          }
          pending.remove(future);
        });
  }

  /** A stream of up to 500 items, read to its end or closed after a few. */
  private void stream(Random random) {
    long token = ledger.begin("stream");
    int n = random.nextInt(500);
    int readOnly = random.nextInt(4) == 0 ? random.nextInt(n + 1) : n;
    boolean own = true;
    int read = 0;
    try (Stream<Object> items = single.stream(Request.invoke("count", List.of(token, n)))) {
      Iterator<Object> iterator = items.iterator();
      while (read < readOnly && iterator.hasNext()) {
        own &= List.of(token, (long) read).equals(iterator.next());
        read++;
      }
      own &= read == readOnly && (readOnly < n || !iterator.hasNext());
      ledger.answered(token, own, "stream of " + read + " items, expected " + readOnly);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  /** An async handler that outlasts its timeout. */
  private void timeout(SynapseCalls target, Random random) {
    long token = ledger.begin("timed out call");
    Request request =
        Request.invoke("async_nap", List.of(token, 1.0))
            .withTimeout(Duration.ofMillis(20 + random.nextInt(200)));
    try {
      Object answer = target.execute(request);
      ledger.answered(token, Long.valueOf(token).equals(answer), answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  /** An async call whose caller cancels its future after a moment. */
  private void cancel(SynapseCalls target, Random random) {
    long token = ledger.begin("cancelled call");
    CompletableFuture<Object> future =
        target.executeAsync(Request.invoke("async_nap", List.of(token, 0.5)));
    track(future, token, token);
    sleep(random.nextInt(30));
    future.cancel(true);
  }

  private void nap(SynapseCalls target, Random random) {
    long token = ledger.begin("plain handler nap");
    try {
      Object answer = target.invoke("nap", List.of(token, random.nextInt(30) / 1000.0));
      ledger.answered(token, Long.valueOf(token).equals(answer), answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  private void sessionChild(SynapseCalls target) {
    long token = ledger.begin("handler starting a setsid child");
    try {
      Object answer = target.invoke("session_child", token);
      boolean own = answer instanceof List<?> list && Long.valueOf(token).equals(list.get(0));
      if (own) {
        children.add((Long) ((List<?>) answer).get(1));
      }
      ledger.answered(token, own, answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  private void stuck(SynapseCalls target) {
    long token = ledger.begin("stuck handler");
    try {
      Object answer =
          target.execute(Request.invoke("stuck", token).withTimeout(Duration.ofMillis(200)));
      ledger.answered(token, false, answer);
    } catch (RuntimeException e) {
      ledger.failed(token, e);
    }
  }

  /** Sleeps, keeping the interrupt flag if interrupted. */
  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
