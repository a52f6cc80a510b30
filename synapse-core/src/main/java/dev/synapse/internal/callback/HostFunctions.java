package dev.synapse.internal.callback;

import dev.synapse.ExposedFunction;
import dev.synapse.SynapseException;
import dev.synapse.internal.codec.Conversions;
import dev.synapse.internal.supervision.SharedThreads;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Java functions exposed to the workers of one configuration, by name, and the executor they
 * run on. Immutable; typed functions are stored with their input conversion in front.
 */
public final class HostFunctions {
  /** No function exposed. */
  public static final HostFunctions NONE = new HostFunctions(Map.of(), null);

  private final Map<String, ExposedFunction<Object, ?>> functions;
  private final Executor executor;

  private HostFunctions(Map<String, ExposedFunction<Object, ?>> functions, Executor executor) {
    this.functions = functions;
    this.executor = executor;
  }

  /**
   * The functions {@code functions} (kept in the order given), run on {@code executor}, or on
   * Synapse's own threads if it is null.
   */
  public static HostFunctions of(
      Map<String, ExposedFunction<Object, ?>> functions, Executor executor) {
    return new HostFunctions(
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(functions)), executor);
  }

  /** {@code function} with its input converted to {@code type} first, as typed answers are. */
  public static <I> ExposedFunction<Object, ?> typed(
      String name, Class<I> type, ExposedFunction<? super I, ?> function) {
    Objects.requireNonNull(type, "inputType");
    Objects.requireNonNull(function, "function");
    return input -> {
      I converted;
      try {
        converted = Conversions.convert(input, type);
      } catch (SynapseException e) {
        throw new IllegalArgumentException(
            "The input of function '"
                + name
                + "' does not fit "
                + type.getName()
                + ": "
                + e.getMessage(),
            e);
      }
      return function.apply(converted);
    };
  }

  /** The function named {@code name}, or null. */
  ExposedFunction<Object, ?> get(String name) {
    return functions.get(name);
  }

  /** The names exposed, in the order they were exposed. */
  public Set<String> names() {
    return functions.keySet();
  }

  /** Whether any function is exposed. */
  public boolean isEmpty() {
    return functions.isEmpty();
  }

  /** Where the functions run. */
  Executor executor() {
    return executor != null ? executor : OwnThreads.EXECUTOR;
  }

  /**
   * Synapse's own threads for exposed functions, made on first use. Unbounded on purpose: a
   * function may wait for a worker whose handler calls another function, and a bounded pool could
   * run out of threads in such a chain.
   */
  private static final class OwnThreads {
    static final ExecutorService EXECUTOR =
        Executors.newCachedThreadPool(SharedThreads.daemon("synapse-exposed-"));
  }
}
