package dev.synapse;

import java.time.Duration;
import java.util.Objects;

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
   * @throws IllegalArgumentException if {@code retries} is negative
   */
  public Request withRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries cannot be negative, was " + retries);
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

  /** The input value. */
  public Object input() {
    return input;
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
        + "timeout="
        + timeout
        + (retries == 0 ? "" : ", retries=" + retries)
        + (cancelGrace == null ? "" : ", cancelGrace=" + cancelGrace)
        + "]";
  }
}
