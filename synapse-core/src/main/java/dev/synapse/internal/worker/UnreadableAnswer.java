package dev.synapse.internal.worker;

import dev.synapse.ProtocolException;

/**
 * A frame from the worker whose value cannot be read (e.g. nested deeper than the limit): unlike
 * bytes that are not frames, or an answer of the wrong kind, the worker is not misbehaving, so it
 * ends like a crash and its restart policy decides what follows.
 */
final class UnreadableAnswer extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnreadableAnswer(ProtocolException cause) {
    super(cause.getMessage(), cause, false, false);
  }

  ProtocolException protocolException() {
    return (ProtocolException) getCause();
  }
}
