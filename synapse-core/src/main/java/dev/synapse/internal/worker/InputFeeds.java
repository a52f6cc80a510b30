package dev.synapse.internal.worker;

import dev.synapse.ProtocolException;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The input streams of one worker's calls in flight: the {@link InputFeed} of each, by call id,
 * from the moment the call is sent until it is over. The channel's share of input streams: the
 * frame that announces one, the credit the worker grants, and the cause of a failure the caller's
 * iterator started.
 */
final class InputFeeds {
  private final ConcurrentHashMap<Long, InputFeed> feeds = new ConcurrentHashMap<>();
  private final Outbox outbox;
  private final int maxFrameBytes;

  InputFeeds(Outbox outbox, int maxFrameBytes) {
    this.outbox = outbox;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The CALL or STREAM frame of {@code call}, whose input is a stream. */
  static OutboundFrame frameOf(PendingCall call, StreamCall stream) {
    return stream == null
        ? Messages.callWithInputStream(call.id(), call.function())
        : Messages.streamWithInputStream(call.id(), call.function(), StreamCall.INITIAL_CREDIT);
  }

  /**
   * Starts feeding {@code call} (sent now) once the worker grants credit; stops when it is over.
   */
  void open(PendingCall call, InputSource inputs) {
    long id = call.id();
    InputFeed feed = new InputFeed(call, inputs, outbox, maxFrameBytes);
    feeds.put(id, feed);
    call.whenComplete(
        (value, error) -> {
          feeds.remove(id, feed);
          feed.stop();
        });
  }

  /**
   * INPUT_CREDIT for call {@code id}; on the reader thread.
   *
   * @param inFlight the call of that id in flight, or null (credit for a call that has ended, or
   *     whose feed stopped as it ended, is ignored)
   * @throws ProtocolException if the call in flight has no input stream
   */
  void grant(long id, long count, PendingCall inFlight) {
    InputFeed feed = feeds.get(id);
    if (feed != null) {
      feed.grant(count);
    } else if (inFlight != null && !(inFlight.input() instanceof InputSource)) {
      throw new ProtocolException(
          "The worker granted input credit for call " + id + ", whose input is not a stream");
    }
  }

  /** The error that fails call {@code id}, with the cause its input's iterator gave it, if any. */
  Throwable explain(long id, Throwable error) {
    InputFeed feed = feeds.get(id);
    return feed == null ? error : feed.explain(error);
  }
}
