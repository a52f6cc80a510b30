package dev.synapse.internal.supervision;

import dev.synapse.SynapseListener;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers lifecycle events to a {@link SynapseListener}, never on the thread that noticed them.
 */
public final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  /** The listener of a builder that was given none: it ignores every event. */
  public static final SynapseListener NONE = new SynapseListener() {};

  private Listeners() {}

  /** Runs {@code event} on this thread; a listener that throws is logged, not propagated. */
  public static void callHere(SynapseListener listener, Consumer<SynapseListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      LOG.warn("The listener failed", e);
    }
  }

  /** Runs {@code event} on {@code executor}; a listener that throws is logged, not propagated. */
  public static void notify(
      Executor executor, SynapseListener listener, Consumer<SynapseListener> event) {
    executor.execute(() -> callHere(listener, event));
  }
}
