package dev.synapse.internal.protocol;

import dev.synapse.ProtocolException;

/**
 * The worker's output ended part way through a frame: the worker ended, or closed its output, while
 * it wrote. Its host treats this as the worker's end (a crash, which its restart policy decides
 * on), not as garbage on the pipe.
 */
public final class OutputEndedInsideFrame extends ProtocolException {
  private static final long serialVersionUID = 1L;

  OutputEndedInsideFrame(String message) {
    super(message);
  }
}
