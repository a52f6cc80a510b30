package dev.synapse;

import dev.synapse.internal.worker.InputSource;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One call to make: the input, the function it is for, and options that override the instance's
 * defaults. Immutable; the {@code with...} methods return changed copies, so a request can be
 * reused and shared between threads.
 *
 * <pre>{@code
 * Object answer = synapse.execute(Request.invoke("predict", rows).withTimeout(Duration.ofSeconds(2)));
 * }</pre>
 */
public final class Request {
  private final String function;
  private final Object input;
  private final Duration timeout;
  private final int retries;
  private final Duration cancelGrace;

  private Request(
      String function, Object input, Duration timeout, int retries, Duration cancelGrace) {
    this.function = function;
    this.input = input;
    this.timeout = timeout;
    this.retries = retries;
    this.cancelGrace = cancelGrace;
  }

  /** A call of the module's single handler (or, for a seed-style module, its loop). */
  public static Request call(Object input) {
    return new Request(null, input, null, 0, null);
  }

  /**
   * A call of the named function of a {@code pysynapse} module served with {@code serve({"name":
   * fn, ...})}.
   *
   * @throws IllegalArgumentException if the name is empty
   */
  public static Request invoke(String function, Object input) {
    Objects.requireNonNull(function, "function");
    if (function.isEmpty()) {
      throw new IllegalArgumentException("function name cannot be empty");
    }
    return new Request(function, input, null, 0, null);
  }

  /**
   * A call whose input is a stream of values: the items of {@code inputs}, sent to the worker one
   * by one as its handler takes them. The handler is called with one positional argument, an
   * iterator over the items (a plain {@code def}) or an async iterator (an {@code async def}):
   *
   * <pre>{@code
   * def total(items):                      # Python
   *     return sum(row["amount"] for row in items)
   *
   * Object sum = synapse.execute(Request.streamInput("total", rows.iterator()));   // Java
   * }</pre>
   *
   * <p>{@link SynapseCalls#execute execute} and {@link SynapseCalls#executeAsync executeAsync} give
   * the handler's one answer; {@link SynapseCalls#stream(Request) stream} gives its items, when the
   * handler is itself a generator (stream in, stream out).
   *
   * <p><b>Flow control.</b> The iterator is pulled on a thread of Synapse's own ({@code
   * synapse-feeder-N}), never on the caller's thread, and only as fast as the handler takes items:
   * the worker grants credit for a window of at most 64 items (fewer when they are large, about 4
   * MiB of them), so neither side holds more than that window, however long the stream. The
   * iterator may block; it is used by one thread at a time.
   *
   * <p><b>The end.</b> The input ends when {@code hasNext()} returns false. Once the call is over
   * (the handler answered, failed, was cancelled or timed out, the worker died), the iterator is
   * not pulled again: a handler that returns without reading all of its input ends the feed. An
   * item being pulled at that moment is still taken, and dropped.
   *
   * <p><b>Errors.</b> An exception thrown by the iterator is raised in the handler as {@code
   * pysynapse.InputStreamError} at that position, naming the Java exception's class and message; if
   * the handler lets it through, the call fails with a {@link PythonException} whose cause is the
   * iterator's exception. An item that cannot be encoded fails the call with an {@link
   * EncodingException} naming its position (the call is cancelled in the worker). An exception the
   * handler raises names the input item it had reached ({@code "input item 41: ..."}).
   *
   * <p>The iterator can be consumed once: the request can be executed once (a second time throws
   * {@link IllegalStateException}), and it cannot be retried ({@link #withRetries}). Seed-style
   * modules cannot take an input stream ({@link IllegalStateException}).
   *
   * @param function the function to call, or {@code null} for the module's single handler
   * @param inputs the items; not {@code null}, its items may be
   * @throws IllegalArgumentException if the function name is empty
   */
  public static Request streamInput(String function, Iterator<?> inputs) {
    return new Request(checkedName(function), InputSource.of(inputs), null, 0, null);
  }

  /**
   * Like {@link #streamInput(String, Iterator)}, with the items of {@code inputs}; the stream is
   * closed once the call is over (however it ended), on the thread that pulled its items.
   *
   * @throws IllegalArgumentException if the function name is empty
   */
  public static Request streamInput(String function, Stream<?> inputs) {
    return new Request(checkedName(function), InputSource.of(inputs), null, 0, null);
  }

  private static String checkedName(String function) {
    if (function != null && function.isEmpty()) {
      throw new IllegalArgumentException("function name cannot be empty");
    }
    return function;
  }

  /**
   * This request with its own timeout; {@link Duration#ZERO} means none.
   *
   * @throws IllegalArgumentException if the timeout is negative
   */
  public Request withTimeout(Duration timeout) {
    RestartPolicy.requireNotNegative("timeout", timeout);
    return new Request(function, input, timeout, retries, cancelGrace);
  }

  /**
   * This request marked as idempotent: if the worker running it dies before answering (it crashed,
   * was killed, or wrote garbage to its frame stream), a {@link SynapsePool} sends it again to one
   * of its live workers, at most {@code retries} times, within the request's timeout. A Python
   * exception, a timeout or a cancel is never retried. Only for calls that may safely run twice:
   * the dead worker may have done part or all of the work. A {@link Synapse}, which has one worker,
   * does not retry. Default 0.
   *
   * @throws IllegalArgumentException if {@code retries} is negative, or not 0 for a request whose
   *     input is a stream (its iterator is consumed by the first try)
   */
  public Request withRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries cannot be negative, was " + retries);
    }
    if (retries > 0 && input instanceof InputSource) {
      throw new IllegalArgumentException(
          "a request whose input is a stream cannot be retried: its iterator is consumed by the"
              + " first try");
    }
    return new Request(function, input, timeout, retries, cancelGrace);
  }

  /**
   * This request with its own grace period for ending when it is given up on (timeout or cancel):
   * see {@link Synapse.Builder#cancelGrace}. {@link Duration#ZERO} replaces the worker at once.
   *
   * @throws IllegalArgumentException if {@code grace} is negative
   */
  public Request withCancelGrace(Duration grace) {
    RestartPolicy.requireNotNegative("cancelGrace", grace);
    return new Request(function, input, timeout, retries, grace);
  }

  /** The function's name, or {@code null} for the module's single handler. */
  public String function() {
    return function;
  }

  /**
   * The input value; for a request made by {@code streamInput}, an opaque object that stands for
   * the input stream (see {@link #hasStreamInput()}).
   */
  public Object input() {
    return input;
  }

  /** Whether this request was made by {@code streamInput}: its input is a stream of values. */
  public boolean hasStreamInput() {
    return input instanceof InputSource;
  }

  /** The timeout of this request, or {@code null} to use the instance's default. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * How many times a pool may send this request again after the worker running it died; 0 for
   * never.
   */
  public int retries() {
    return retries;
  }

  /** The grace period of this request, or {@code null} to use the instance's default. */
  public Duration cancelGrace() {
    return cancelGrace;
  }

  @Override
  public String toString() {
    return "Request["
        + (function == null ? "" : "function=" + function + ", ")
        + (hasStreamInput() ? "stream input, " : "")
        + "timeout="
        + timeout
        + (retries == 0 ? "" : ", retries=" + retries)
        + (cancelGrace == null ? "" : ", cancelGrace=" + cancelGrace)
        + "]";
  }
}
