package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.SynapseException;
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
 * <p>The race between {@link #submit} and {@link #close}: a call put into the map after {@code
 * close} emptied it is taken back by {@code submit}, which sees the closed flag after its put.
 */
final class EnvelopeChannel implements Channel {
  private final ConcurrentHashMap<Long, PendingCall> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
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
    OutboundFrame frame;
    try {
      frame = Messages.call(id, call.function(), call.input(), maxFrameBytes);
    } catch (SynapseException e) {
      call.fail(e);
      return true;
    }
    call.owner(this);
    inFlight.put(id, call);
    if (closed && inFlight.remove(id) != null) {
      return false;
    }
    outbox.send(frame);
    return true;
  }

  @Override
  public void onFrame(byte[] frame) {
    Messages.Answer answer = Messages.decodeAnswer(frame);
    PendingCall call = inFlight.remove(answer.id());
    if (call == null) {
      return;
    }
    if (answer.error() != null) {
      call.fail(answer.error());
    } else {
      call.succeed(answer.value());
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
