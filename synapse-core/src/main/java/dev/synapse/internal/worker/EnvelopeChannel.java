package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.ProtocolException;
import dev.synapse.internal.callback.HostCalls;
import dev.synapse.internal.callback.HostFunctions;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.protocol.InboundFrame;
import dev.synapse.internal.protocol.MessageDecoder;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import dev.synapse.internal.shm.BadReference;
import dev.synapse.internal.shm.SharedRegion;
import dev.synapse.internal.supervision.AnswerSpin;
import dev.synapse.internal.supervision.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The envelope protocol: every call gets an id, goes out at once, and is answered whenever the
 * worker is done with it. A call given up on (timeout, cancel) is forgotten here and cancelled in
 * the worker, which answers a CANCEL with one final frame for the call; if that frame does not come
 * within the call's grace period, the handler is stuck where Python cannot interrupt it, and the
 * worker is replaced.
 *
 * <p>A {@link StreamCall} goes out as STREAM with its initial credit and stays here while its ITEMs
 * arrive, until END or ERROR; the consumer grants more credit through {@link #grant}. An ITEM or
 * END for a plain call, or a RESULT for a stream, is a {@link ProtocolException}.
 *
 * <p>A call whose input is a stream ({@link InputSource}) goes out with the input-stream option and
 * its items follow as the worker grants credit, fed by {@link InputFeeds}.
 *
 * <p>A PING takes an id of the same sequence as the calls and waits in {@link Pings} for its PONG.
 *
 * <p>Every RESULT, ERROR, ITEM or END tells the {@link Outbox} that the worker has read the frame
 * of that call, which is how the outbox knows what room is left in the pipe.
 *
 * <p>HOST_CALL and HOST_CANCEL, the worker's calls of the host's exposed functions, go to {@link
 * HostCalls}; a call given up on here cancels the host calls made for it.
 *
 * <p>The race between {@link #submit} and {@link #close}: a call put into the map after {@code
 * close} emptied it is taken back by {@code submit}, which sees the closed flag after its put.
 */
final class EnvelopeChannel implements Channel {
  /** A call given up on whose final frame has not come yet; its timer ends the grace period. */
  private static final class Cancelling {
    final PendingCall call;
    volatile Future<?> graceTimer;

    Cancelling(PendingCall call) {
      this.call = call;
    }
  }

  private final ConcurrentHashMap<Long, PendingCall> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Cancelling> cancelling = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final MessageDecoder decoder;
  private final Outbox outbox;
  private final int maxFrameBytes;
  private final Replacer replacer;
  private final InputFeeds feeds;
  private final HostCalls hostCalls;
  private final Pings pings;
  private final SharedRegion region;
  private final AnswerSpin answerSpin = new AnswerSpin(Ticker.SYSTEM, AnswerSpin.CPU_PERMITS);
  private volatile boolean closed;

  /**
   * A channel whose large values go through {@code region} (null: none); a call's blocks there are
   * freed when its final frame arrives, see {@link SharedRegion}.
   */
  EnvelopeChannel(
      Outbox outbox,
      int maxFrameBytes,
      Replacer replacer,
      HostFunctions hostFunctions,
      SharedRegion region) {
    this.outbox = outbox;
    this.pings = new Pings(outbox);
    this.maxFrameBytes = maxFrameBytes;
    this.replacer = replacer;
    this.feeds = new InputFeeds(outbox, maxFrameBytes);
    this.hostCalls =
        new HostCalls(hostFunctions, outbox::send, maxFrameBytes, inFlight::containsKey);
    this.region = region;
    this.decoder = new MessageDecoder(region == null ? null : region.answers());
  }

  @Override
  public boolean submit(PendingCall call) {
    if (closed) {
      return false;
    }
    long id = ids.incrementAndGet();
    call.id(id);
    StreamCall stream = call instanceof StreamCall s ? s : null;
    InputSource inputs = call.input() instanceof InputSource source ? source : null;
    OutboundFrame frame;
    try {
      frame = inputs == null ? frameOf(call, stream) : InputFeeds.frameOf(call, stream);
    } catch (Throwable e) {
      callEnded(id);
      call.fail(EncodeFailures.of(e));
      return true;
    }
    if (stream != null) {
      stream.creditLine(this::grant);
    }
    call.owner(this);
    call.frame(frame);
    synchronized (call.sending) {
      call.answerSpin(inFlight.isEmpty() ? answerSpin : null); // alone: the next answer is its own
      inFlight.put(id, call);
      if ((closed || call.isDone()) && inFlight.remove(id, call)) {
        // Closed meanwhile: the call waits for the next worker. Or given up on (a timeout, a
        // cancel) before it was in flight: the worker never hears of it.
        callEnded(id);
        return !closed || call.isDone();
      }
      if (inputs != null) {
        feeds.open(call, inputs);
      }
      outbox.send(frame);
    }
    return true;
  }

  private OutboundFrame frameOf(PendingCall call, StreamCall stream) {
    SharedValues shared = region == null ? null : region.forCall(call.id());
    return stream == null
        ? Messages.call(call.id(), call.function(), call.input(), maxFrameBytes, shared)
        : Messages.stream(
            call.id(),
            call.function(),
            call.input(),
            StreamCall.INITIAL_CREDIT,
            maxFrameBytes,
            shared);
  }

  @Override
  public void onFrame(InboundFrame frame) {
    Messages.Answer answer;
    try {
      answer = decoder.answer(frame);
    } catch (BadReference e) {
      throw e; // the worker misbehaves: it is replaced
    } catch (ProtocolException e) {
      throw new UnreadableAnswer(e);
    }
    long id = answer.id();
    int type = answer.type();
    long referenced = 0; // an item's bytes in shared memory count towards the stream's window
    boolean regionMessage = Messages.isRegionMessage(type);
    if (region != null) {
      if (Messages.isBlockList(type)) {
        region.onWorkerBlocks(type == Messages.KEPT, (long[]) answer.value());
        return;
      }
      if (regionMessage) { // it refers to no block; an announcement outlives it
        region.onWorkerMessage(type, id);
        return;
      }
      referenced = region.releaseRead();
      if (type == Messages.CALL_OR_RESULT
          || type == Messages.CANCEL_OR_ERROR
          || type == Messages.STREAM_OR_END) {
        region.callEnded(id); // the worker is done with the call's input
      }
    } else if (regionMessage) {
      throw new ProtocolException("The worker sent a shared-memory message but has no region");
    }
    if (type == Messages.INPUT_OR_CREDIT) {
      feeds.grant(id, (Long) answer.value(), inFlight.get(id));
      return;
    } else if (type == Messages.HOST_CALL) {
      hostCalls.onCall(id, (Messages.HostCall) answer.value());
      return;
    } else if (type == Messages.HOST_CANCEL) {
      hostCalls.onCancel(id);
      return;
    } else if (type == Messages.PONG) {
      pings.answered(id);
      return;
    }
    if (type == Messages.CALL_OR_RESULT || type == Messages.CANCEL_OR_ERROR) {
      PendingCall call = inFlight.remove(id);
      if (call == null) {
        acknowledged(id);
        return;
      }
      outbox.readByWorker(call.frame());
      if (type == Messages.CANCEL_OR_ERROR) {
        call.fail(feeds.explain(id, answer.error()));
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
      if (type == Messages.STREAM_OR_END) {
        acknowledged(id);
      }
      return;
    }
    outbox.readByWorker(call.frame());
    if (type == Messages.CREDIT_OR_ITEM) {
      streamOf(call, "an item")
          .offer(answer.value(), (int) Math.min(Integer.MAX_VALUE, frame.length() + referenced));
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

  /**
   * Sends a PING; the future completes when the worker's serve loop answered it, and fails if the
   * worker ends first.
   */
  CompletableFuture<Void> ping() {
    CompletableFuture<Void> answered = pings.send(ids.incrementAndGet());
    if (closed) {
      answered.completeExceptionally(new IllegalStateException("the worker is ending"));
    }
    return answered;
  }

  /** Lets the worker send {@code count} more items of {@code stream}, if it still streams here. */
  private void grant(StreamCall stream, long count) {
    if (inFlight.get(stream.id()) == stream) {
      outbox.send(Messages.credit(stream.id(), count));
    }
  }

  private void callEnded(long id) {
    if (region != null) {
      region.callEnded(id);
    }
  }

  @Override
  public void timedOut(PendingCall call) {
    boolean replaced = forget(call);
    call.fail(new CallTimeoutException(call.timeout(), replaced));
  }

  @Override
  public void cancelled(PendingCall call) {
    forget(call);
  }

  /**
   * Forgets a call given up on and tells the worker to cancel it; the worker then sends exactly one
   * final frame for it, which must come within the call's grace period. The call waits in {@code
   * cancelling} before it leaves {@code inFlight}, so that its final frame, whenever the reader
   * sees it, finds the call in one of the two maps.
   *
   * @return whether the worker is replaced at once (a grace period of zero)
   */
  private boolean forget(PendingCall call) {
    long id = call.id();
    Duration grace = call.cancelGrace();
    Cancelling entry = new Cancelling(call);
    synchronized (call.sending) {
      cancelling.put(id, entry);
      if (!inFlight.remove(id, call)) {
        cancelling.remove(id, entry);
        return false;
      }
      if (grace.isZero()) {
        cancelling.remove(id, entry);
      } else {
        entry.graceTimer = call.scheduler().schedule(() -> graceOver(id, entry), grace.toNanos());
        outbox.send(Messages.cancel(id));
      }
    }
    hostCalls.cancelUnder(id);
    if (grace.isZero()) {
      replaceStuck(id, grace);
      return true;
    }
    return false;
  }

  /** The final frame of a call given up on has come: the worker is not stuck. */
  private void acknowledged(long id) {
    Cancelling entry = cancelling.remove(id);
    if (entry != null) {
      outbox.readByWorker(entry.call.frame());
      Future<?> timer = entry.graceTimer;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  private void graceOver(long id, Cancelling entry) {
    if (cancelling.remove(id, entry)) {
      replaceStuck(id, entry.call.cancelGrace());
    }
  }

  /**
   * The handler of call {@code id} is stuck: this channel takes no more calls (they wait for the
   * new worker instead), and the worker is killed and replaced; the calls in flight fail.
   */
  private void replaceStuck(long id, Duration grace) {
    closed = true;
    replacer.replace(
        "the handler of cancelled call "
            + id
            + " did not return within the grace period of "
            + grace.toMillis()
            + " ms");
  }

  @Override
  public List<PendingCall> close(RuntimeException cause, boolean keepUnsent) {
    closed = true;
    for (Cancelling entry : cancelling.values()) {
      Future<?> timer = entry.graceTimer;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    cancelling.clear();
    hostCalls.close();
    pings.close(cause);
    for (Long id : inFlight.keySet()) {
      PendingCall call = inFlight.remove(id);
      if (call != null) {
        call.fail(cause);
      }
    }
    return List.of();
  }
}
