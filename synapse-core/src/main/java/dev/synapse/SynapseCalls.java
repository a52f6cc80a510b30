package dev.synapse;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.synapse.internal.codec.Conversions;
import dev.synapse.internal.codec.JsonAnswers;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

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
  default Object invoke(String function, Object input) {
    return execute(Request.invoke(function, input));
  }

  /**
   * Like {@link #invoke(String, Object)}, converting the answer as {@link #call(Object, Class)}
   * does.
   */
  default <T> T invoke(String function, Object input, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return Conversions.convert(invoke(function, input), type);
  }

  /**
   * Like {@link #invoke(String, Object)}, converting the answer as {@link #call(Object,
   * TypeReference)} does.
   */
  @SuppressWarnings("unchecked")
  default <T> T invoke(String function, Object input, TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return (T) Conversions.convert(invoke(function, input), type.getType());
  }

  /** The asynchronous form of {@link #call(Object)}. */
  default CompletableFuture<Object> callAsync(Object input) {
    return executeAsync(Request.call(input));
  }

  /** The asynchronous form of {@link #invoke(String, Object)}. */
  default CompletableFuture<Object> invokeAsync(String function, Object input) {
    return executeAsync(Request.invoke(function, input));
  }

  /**
   * The asynchronous form of {@link #call(Object, Class)}; a conversion failure fails the returned
   * future, and cancelling it cancels the call in the worker.
   */
  default <T> CompletableFuture<T> callAsync(Object input, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return ConvertedFuture.of(callAsync(input), answer -> Conversions.convert(answer, type));
  }

  /**
   * The asynchronous form of {@link #call(Object, TypeReference)}; see {@link #callAsync(Object,
   * Class)}.
   */
  @SuppressWarnings("unchecked")
  default <T> CompletableFuture<T> callAsync(Object input, TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return ConvertedFuture.of(
        callAsync(input), answer -> (T) Conversions.convert(answer, type.getType()));
  }

  /**
   * The asynchronous form of {@link #invoke(String, Object, Class)}; a conversion failure fails the
   * returned future, and cancelling it cancels the call in the worker.
   */
  default <T> CompletableFuture<T> invokeAsync(String function, Object input, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return ConvertedFuture.of(
        invokeAsync(function, input), answer -> Conversions.convert(answer, type));
  }

  /**
   * The asynchronous form of {@link #invoke(String, Object, TypeReference)}; see {@link
   * #invokeAsync(String, Object, Class)}.
   */
  @SuppressWarnings("unchecked")
  default <T> CompletableFuture<T> invokeAsync(
      String function, Object input, TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return ConvertedFuture.of(
        invokeAsync(function, input), answer -> (T) Conversions.convert(answer, type.getType()));
  }

  /**
   * Calls a generator function of a {@code pysynapse} module and returns its items, as the worker
   * produces them; same as {@code stream(Request.invoke(function, input))}.
   *
   * @throws IllegalStateException before {@code spawn} or after {@code dispose}, or if the module
   *     runs a seed-style loop
   */
  default Stream<Object> stream(String function, Object input) {
    return stream(Request.invoke(function, input));
  }

  /**
   * Like {@link #stream(String, Object)}, converting each item as {@link #invoke(String, Object,
   * Class)} converts an answer; an item that does not convert is thrown at its position.
   */
  default <T> Stream<T> stream(String function, Object input, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return stream(function, input).map(item -> Conversions.convert(item, type));
  }

  /**
   * Makes the call that {@code request} describes, whose handler is a generator (a {@code def} or
   * {@code async def} with {@code yield}, or any handler returning an iterator), and returns its
   * items in order as the worker produces them.
   *
   * <pre>{@code
   * try (Stream<Object> rows = calls.stream(Request.invoke("read_rows", path))) {
   *   rows.forEach(row -> process(row));
   * }
   * }</pre>
   *
   * <p>The call is sent at once. The worker runs ahead of the consumer by at most a window of 256
   * items (fewer when items are large: about 8 MiB of them, at least one), so a fast generator
   * cannot fill the heap: it is paused until the consumer takes items. The stream is sequential and
   * for one thread at a time; its iterator blocks for the next item.
   *
   * <p><b>Close it</b> (try-with-resources): closing a stream that has not ended closes the
   * generator in the worker ({@code generator.close()}, {@code aclose()}: its {@code finally}
   * blocks run). A stream dropped unclosed is cancelled only when the garbage collector notices.
   *
   * <p><b>Errors</b> come out of the stream's terminal operation (its iterator's {@code hasNext} or
   * {@code next}) at the position where they happened, after every item produced before them:
   * {@link PythonException} (the generator raised, an item could not be encoded, the handler is not
   * a generator, no such function), {@link WorkerExitedException}, {@link ProtocolException}, and
   * for the input, before anything is sent, {@link EncodingException} and {@link
   * FrameTooLargeException}. The request's timeout (or the instance's default) bounds each wait for
   * the next item, not the whole stream: when it passes, {@link CallTimeoutException} is thrown and
   * the stream is cancelled in the worker. An interrupted wait cancels the stream, restores the
   * interrupt flag and throws {@link SynapseException}. Using the stream after closing it throws
   * {@link IllegalStateException}.
   *
   * <p>In a {@link SynapsePool} the stream stays on the worker that started it and counts as one of
   * its calls in flight until it ends or is closed; a worker due for recycling waits for it.
   *
   * @throws IllegalStateException before {@code spawn} or after {@code dispose}, or if the module
   *     runs a seed-style loop (it answers each call with one value)
   */
  Stream<Object> stream(Request request);
}
