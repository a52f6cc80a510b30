package dev.synapse.internal.shm;

import dev.synapse.ProtocolException;

/**
 * The worker sent a shared-memory reference that is malformed or reaches outside what it may name:
 * it misbehaves, so it is replaced whatever its restart policy says.
 */
public final class BadReference extends ProtocolException {
  private static final long serialVersionUID = 1L;

  BadReference(String message) {
    super(message);
  }
}
