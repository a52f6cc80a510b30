package dev.synapse.bench.soak;

import dev.synapse.SynapseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every call of the soak run, by its token: begun once, and then settled exactly once with its own
 * answer, a typed {@link SynapseException}, or (an async call its caller cancelled) a cancellation.
 * What breaks that is counted: a second settlement (duplicate), another call's answer (mismatch),
 * an exception of another type (untyped), and a call never settled (lost). Thread-safe.
 */
final class Ledger {
  private static final int EXAMPLES = 10;

  private final AtomicLong tokens = new AtomicLong();
  private final Set<Long> open = ConcurrentHashMap.newKeySet();
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder mismatched = new LongAdder();
  private final LongAdder untyped = new LongAdder();
  private final List<String> examples = new ArrayList<>();
  private final Map<String, String> firstMessages = new ConcurrentHashMap<>();

  /** A new call of {@code kind}; returns its token. */
  long begin(String kind) {
    long token = tokens.incrementAndGet();
    open.add(token);
    calls.computeIfAbsent(kind, k -> new LongAdder()).increment();
    return token;
  }

  /** The call answered; {@code own} says whether the answer was its own. */
  void answered(long token, boolean own, Object answer) {
    if (!own) {
      mismatched.increment();
      example("token " + token + " got " + abbreviate(answer));
    }
    settle(token, own ? "answer" : "another call's answer");
  }

  /** The call failed with {@code failure} (unwrapped from the future's wrappers). */
  void failed(long token, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof CancellationException) {
      settle(token, "cancelled by its caller");
    } else if (cause instanceof SynapseException) {
      firstMessages.putIfAbsent(
          cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()));
      settle(token, cause.getClass().getSimpleName());
    } else {
      untyped.increment();
      example("token " + token + " failed with " + cause);
      settle(token, "untyped " + cause.getClass().getSimpleName());
    }
  }

  private void settle(long token, String outcome) {
    if (!open.remove(token)) {
      duplicates.increment();
      example("token " + token + " settled again: " + outcome);
    }
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private synchronized void example(String text) {
    if (examples.size() < EXAMPLES) {
      examples.add(text);
    }
  }

  private static String abbreviate(Object answer) {
    String text = String.valueOf(answer);
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }

  long begun() {
    return tokens.get();
  }

  long lost() {
    return open.size();
  }

  long duplicates() {
    return duplicates.sum();
  }

  long mismatched() {
    return mismatched.sum();
  }

  long untyped() {
    return untyped.sum();
  }

  Map<String, Long> callsByKind() {
    return sorted(calls);
  }

  Map<String, Long> outcomes() {
    return sorted(outcomes);
  }

  /** The message of the first exception of each type that settled a call. */
  Map<String, String> firstMessages() {
    return new TreeMap<>(firstMessages);
  }

  synchronized List<String> examples() {
    return List.copyOf(examples);
  }

  private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
    Map<String, Long> result = new TreeMap<>();
    counts.forEach((key, count) -> result.put(key, count.sum()));
    return result;
  }
}
