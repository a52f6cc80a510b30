package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.ProtocolException;
import dev.synapse.internal.protocol.InboundFrame;
import dev.synapse.internal.protocol.MessageDecoder;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The envelope protocol: every call gets an id, goes out at once, and is answered whenever the
 * worker is done with it. A call given up on (timeout, cancel) is forgotten here and cancelled in
 * the worker; a late answer for it is ignored.
 *
 * <p>A {@link StreamCall} goes out as STREAM with its initial credit and stays here while its ITEMs
 * arrive, until END or ERROR; the consumer grants more credit through {@link #grant}. An ITEM or
 * END for a plain call, or a RESULT for a stream, is a {@link ProtocolException}.
 *
 * <p>Every RESULT, ERROR, ITEM or END tells the {@link Outbox} that the worker has read the frame
 * of that call, which is how the outbox knows what room is left in the pipe.
 *
 * <p>The race between {@link #submit} and {@link #close}: a call put into the map after {@code
 * close} emptied it is taken back by {@code submit}, which sees the closed flag after its put.
 */
final class EnvelopeChannel implements Channel {
  private final ConcurrentHashMap<Long, PendingCall> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final MessageDecoder decoder = new MessageDecoder();
  private final Outbox outbox;
  private final int maxFrameBytes;
  private volatile boolean closed;

  EnvelopeChannel(Outbox outbox, int maxFrameBytes) {
    this.outbox = outbox;
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public boolean submit(PendingCall call) {
    if (closed) {
      return false;
    }
    long id = ids.incrementAndGet();
    call.id(id);
    StreamCall stream = call instanceof StreamCall s ? s : null;
    OutboundFrame frame;
    try {
      frame =
          stream == null
              ? Messages.call(id, call.function(), call.input(), maxFrameBytes)
              : Messages.stream(
                  id, call.function(), call.input(), StreamCall.INITIAL_CREDIT, maxFrameBytes);
    } catch (Throwable e) {
      call.fail(EncodeFailures.of(e));
      return true;
    }
    if (stream != null) {
      stream.creditLine(this::grant);
    }
    call.owner(this);
    call.frame(frame);
    inFlight.put(id, call);
    if (closed && inFlight.remove(id) != null) {
      return false;
    }
    outbox.send(frame);
    return true;
  }

  @Override
  public void onFrame(InboundFrame frame) {
    Messages.Answer answer = decoder.answer(frame);
    long id = answer.id();
    int type = answer.type();
    if (type == Messages.CALL_OR_RESULT || type == Messages.CANCEL_OR_ERROR) {
      PendingCall call = inFlight.remove(id);
      if (call == null) {
        return;
      }
      outbox.readByWorker(call.frame());
      if (type == Messages.CANCEL_OR_ERROR) {
        call.fail(answer.error());
      } else if (call instanceof StreamCall) {
        ProtocolException wrong =
            new ProtocolException(
                "The worker sent a single result for call " + id + ", which is a stream");
        call.fail(wrong);
        throw wrong;
      } else {
        call.succeed(answer.value());
      }
      return;
    }
    PendingCall call = inFlight.get(id);
    if (call == null) {
      return;
    }
    outbox.readByWorker(call.frame());
    if (type == Messages.CREDIT_OR_ITEM) {
      streamOf(call, "an item").offer(answer.value(), frame.length());
    } else {
      StreamCall stream = streamOf(call, "the end of a stream");
      if (inFlight.remove(id, stream)) {
        stream.succeed(null);
      }
    }
  }

  private static StreamCall streamOf(PendingCall call, String what) {
    if (call instanceof StreamCall stream) {
      return stream;
    }
    throw new ProtocolException(
        "The worker sent " + what + " for call " + call.id() + ", which is not a stream");
  }

  /** Lets the worker send {@code count} more items of {@code stream}, if it still streams here. */
  private void grant(StreamCall stream, long count) {
    if (inFlight.get(stream.id()) == stream) {
      outbox.send(Messages.credit(stream.id(), count));
    }
  }

  @Override
  public void timedOut(PendingCall call) {
    forget(call);
    call.fail(new CallTimeoutException(call.timeout(), false));
  }

  @Override
  public void cancelled(PendingCall call) {
    forget(call);
  }

  private void forget(PendingCall call) {
    if (inFlight.remove(call.id(), call)) {
      outbox.send(Messages.cancel(call.id()));
    }
  }

  @Override
  public List<PendingCall> close(RuntimeException cause, boolean keepUnsent) {
    closed = true;
    for (Long id : inFlight.keySet()) {
      PendingCall call = inFlight.remove(id);
      if (call != null) {
        call.fail(cause);
      }
    }
    return List.of();
  }
}
