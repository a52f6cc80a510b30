package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.InboundFrame;
import java.util.List;

/**
 * How calls travel over one worker's frame stream. There are two: {@link EnvelopeChannel} for
 * modules served by {@code pysynapse} (many calls in flight, matched by id) and {@link SeedChannel}
 * for seed-style modules (one call at a time, answers in order).
 */
interface Channel extends CallOwner {
  /** Asks the session to kill this worker and have it replaced. */
  interface Replacer {
    void replace(String reason);
  }

  /**
   * Takes {@code call} and sends it, or fails it if its input cannot be encoded.
   *
   * @return false if the channel is closed and did not take the call
   */
  boolean submit(PendingCall call);

  /** Handles one frame from the worker; runs on the reader thread. */
  void onFrame(InboundFrame frame);

  /**
   * Closes the channel: fails every call sent with {@code cause}. Calls not sent yet are failed
   * too, or, if {@code keepUnsent}, returned so a new worker can take them.
   */
  List<PendingCall> close(RuntimeException cause, boolean keepUnsent);
}
