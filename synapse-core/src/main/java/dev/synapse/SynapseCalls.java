package dev.synapse;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.synapse.internal.codec.Conversions;
import dev.synapse.internal.codec.JsonAnswers;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The ways to call Python, shared by a single worker ({@link Synapse}) and, where it exists, a pool
 * of workers. Everything is built on {@link #execute(Request)} and {@link #executeAsync(Request)};
 * the other methods are shorthands for common requests.
 *
 * <p>Blocking methods wait on the caller's thread and throw the call's {@link SynapseException}.
 * Asynchronous ones never block; their futures complete on the callback executor, and cancelling
 * one cancels the call in the worker. Implementations are thread-safe.
 */
public interface SynapseCalls {
  /**
   * Makes the call that {@code request} describes and waits for its answer.
   *
   * @throws IllegalStateException before {@code spawn} or after {@code dispose}
   * @throws SynapseException when the call fails: {@link PythonException}, {@link
   *     WorkerExitedException}, {@link CallTimeoutException}, {@link EncodingException}, {@link
   *     FrameTooLargeException}, {@link ProtocolException}
   */
  Object execute(Request request);

  /**
   * Makes the call that {@code request} describes without waiting.
   *
   * @throws IllegalStateException before {@code spawn} or after {@code dispose}
   */
  CompletableFuture<Object> executeAsync(Request request);

  /** Sends {@code input} to the module's single handler (or its seed-style loop) and waits. */
  default Object call(Object input) {
    return execute(Request.call(input));
  }

  /**
   * Like {@link #call(Object)}; with {@code forceJsonParse}, an answer that is a string of JSON is
   * parsed into the same Java types as any other answer (a string that is not JSON is returned as
   * it is, with a warning in the log).
   */
  default Object call(Object input, boolean forceJsonParse) {
    Object answer = call(input);
    return forceJsonParse ? JsonAnswers.parse(answer) : answer;
  }

  /**
   * Like {@link #call(Object)}, converting the answer to {@code type}: a plain type (Map, List,
   * String, Long, Integer, Double, Boolean, BigInteger, byte[], Instant...) or a record or POJO.
   * The conversion is strict: no strings as numbers, no fractions as integers, no number outside
   * its type's range, no missing record component; properties the type does not have are ignored.
   *
   * @throws SynapseException if the answer does not convert, naming the field and the Java type
   */
  default <T> T call(Object input, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return Conversions.convert(call(input), type);
  }

  /**
   * Like {@link #call(Object)}, converting the answer to a generic type, e.g. {@code new
   * TypeReference<List<Point>>() {}}.
   *
   * @throws SynapseException if the answer does not convert, naming the field and the Java type
   */
  @SuppressWarnings("unchecked")
  default <T> T call(Object input, TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return (T) Conversions.convert(call(input), type.getType());
  }

  /** Calls the named function of a {@code pysynapse} module and waits for its answer. */
  default Object invoke(String function, Object payload) {
    return execute(Request.invoke(function, payload));
  }

  /**
   * Like {@link #invoke(String, Object)}, converting the answer as {@link #call(Object, Class)}
   * does.
   */
  default <T> T invoke(String function, Object payload, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return Conversions.convert(invoke(function, payload), type);
  }

  /**
   * Like {@link #invoke(String, Object)}, converting the answer as {@link #call(Object,
   * TypeReference)} does.
   */
  @SuppressWarnings("unchecked")
  default <T> T invoke(String function, Object payload, TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return (T) Conversions.convert(invoke(function, payload), type.getType());
  }

  /** The asynchronous form of {@link #call(Object)}. */
  default CompletableFuture<Object> callAsync(Object input) {
    return executeAsync(Request.call(input));
  }

  /** The asynchronous form of {@link #invoke(String, Object)}. */
  default CompletableFuture<Object> invokeAsync(String function, Object payload) {
    return executeAsync(Request.invoke(function, payload));
  }

  /**
   * The asynchronous form of {@link #invoke(String, Object, Class)}; a conversion failure fails the
   * returned future. Cancelling the returned future does not reach the worker; use {@link
   * #executeAsync} for a call you may cancel.
   */
  default <T> CompletableFuture<T> invokeAsync(String function, Object payload, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return invokeAsync(function, payload).thenApply(answer -> Conversions.convert(answer, type));
  }
}
