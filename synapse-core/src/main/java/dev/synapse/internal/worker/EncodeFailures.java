package dev.synapse.internal.worker;

import dev.synapse.EncodingException;
import dev.synapse.SynapseException;

/**
 * What a call's future fails with when its input cannot be encoded. The encoder reports what it
 * knows with a {@link SynapseException}; anything else it throws (a {@link StackOverflowError} on
 * an input nested too deep or containing itself, an {@link OutOfMemoryError} on a huge one) is
 * wrapped, because a bad value must fail its own call and never escape into the caller's thread, a
 * reader thread, or the pool's bookkeeping.
 */
public final class EncodeFailures {
  private EncodeFailures() {}

  /** The failure to report for {@code thrown}, raised while encoding a call's input. */
  public static SynapseException of(Throwable thrown) {
    if (thrown instanceof SynapseException known) {
      return known;
    }
    EncodingException e =
        new EncodingException(
            "The input could not be encoded: "
                + thrown
                + (thrown instanceof StackOverflowError
                    ? " (it is nested too deeply, or contains itself)"
                    : ""));
    e.initCause(thrown);
    return e;
  }
}
