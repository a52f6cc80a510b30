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

  private Request(String function, Object input, Duration timeout) {
    this.function = function;
    this.input = input;
    this.timeout = timeout;
  }

  /** A call of the module's single handler (or, for a seed-style module, its loop). */
  public static Request call(Object input) {
    return new Request(null, input, null);
  }

  /**
   * A call of the named function of a {@code pysynapse} module served with {@code
   * serve({"name": fn, ...})}.
   *
   * @throws IllegalArgumentException if the name is empty
   */
  public static Request invoke(String function, Object input) {
    Objects.requireNonNull(function, "function");
    if (function.isEmpty()) {
      throw new IllegalArgumentException("function name cannot be empty");
    }
    return new Request(function, input, null);
  }

  /**
   * This request with its own timeout; {@link Duration#ZERO} means none.
   *
   * @throws IllegalArgumentException if the timeout is negative
   */
  public Request withTimeout(Duration timeout) {
    RestartPolicy.requireNotNegative("timeout", timeout);
    return new Request(function, input, timeout);
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

  @Override
  public String toString() {
    return "Request[" + (function == null ? "" : "function=" + function + ", ") + "timeout=" + timeout + "]";
  }
}
