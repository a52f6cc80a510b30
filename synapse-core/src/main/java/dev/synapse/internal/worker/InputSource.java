package dev.synapse.internal.worker;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input of a request made with {@code Request.streamInput}: the caller's iterator (and the
 * {@link Stream} it came from, closed when the call is over). It stands in the request where a
 * value would be; the channel that sends the call recognises it and feeds the items with an {@link
 * InputFeed}. An iterator can be consumed once, so the first call made with it claims it.
 */
public final class InputSource {
  private static final Logger LOG = LoggerFactory.getLogger(InputSource.class);

  /** Why a seed-style module cannot take an input stream. */
  public static final String SEED_STYLE =
      "Input streams need a module served by pysynapse.serve(...): this module runs its own loop"
          + " (seed style), which takes one value per call";

  private final Iterator<?> iterator;
  private final AutoCloseable closer;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private InputSource(Iterator<?> iterator, AutoCloseable closer) {
    this.iterator = iterator;
    this.closer = closer;
  }

  /** The items of {@code iterator}. */
  public static InputSource of(Iterator<?> iterator) {
    return new InputSource(Objects.requireNonNull(iterator, "inputs"), null);
  }

  /** The items of {@code stream}, which is closed when the call is over. */
  public static InputSource of(Stream<?> stream) {
    Objects.requireNonNull(stream, "inputs");
    return new InputSource(stream.iterator(), stream);
  }

  /**
   * Claims {@code input} for one call if it is an input stream; nothing for any other value.
   *
   * @throws IllegalStateException if an earlier call claimed it
   */
  public static void claim(Object input) {
    if (input instanceof InputSource source && !source.claimed.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "The input stream of this request was taken by an earlier call: an iterator can be"
              + " consumed once, so make a new request for each call");
    }
  }

  Iterator<?> iterator() {
    return iterator;
  }

  /** Closes the caller's stream, once; what its close throws is logged. */
  void close() {
    if (closer == null || !closed.compareAndSet(false, true)) {
      return;
    }
    try {
      closer.close();
    } catch (Exception | LinkageError e) {
      LOG.warn("Closing the input stream of a call failed", e);
    }
  }

  @Override
  public String toString() {
    return "InputSource[" + iterator + "]";
  }
}
