package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.ProtocolException;
import dev.synapse.PythonException;
import dev.synapse.internal.protocol.InboundFrame;
import dev.synapse.internal.protocol.MessageDecoder;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed protocol of the original library: bare values, one call on the wire at a time, the next
 * sent only when the previous answer arrived. Such a worker cannot be told to drop a call, so
 * giving up on the call in progress (timeout or cancel) means replacing the worker; the calls still
 * waiting here then go to the new one.
 */
final class SeedChannel implements Channel {
  private final MessageDecoder decoder = new MessageDecoder();
  private final Outbox outbox;
  private final int maxFrameBytes;
  private final Replacer replacer;
  private final ArrayDeque<PendingCall> waiting = new ArrayDeque<>();
  private PendingCall current;
  private boolean closed;

  SeedChannel(Outbox outbox, int maxFrameBytes, Replacer replacer) {
    this.outbox = outbox;
    this.maxFrameBytes = maxFrameBytes;
    this.replacer = replacer;
  }

  @Override
  public boolean submit(PendingCall call) {
    if (call.input() instanceof InputSource) {
      call.fail(new IllegalStateException(InputSource.SEED_STYLE));
      return true;
    }
    OutboundFrame frame;
    try {
      frame = Messages.bare(call.input(), maxFrameBytes);
    } catch (Throwable e) {
      call.fail(EncodeFailures.of(e));
      return true;
    }
    synchronized (this) {
      if (closed) {
        return false;
      }
      call.owner(this);
      if (call instanceof StreamCall) {
        call.fail(new IllegalStateException(StreamCall.SEED_STYLE));
        return true;
      }
      if (call.function() != null) {
        call.fail(
            new IllegalStateException(
                "Function '"
                    + call.function()
                    + "' cannot be invoked: the module runs its own loop"
                    + " (seed style), which has no named functions; use call() or serve it with pysynapse"));
        return true;
      }
      call.frame(frame);
      if (current == null) {
        current = call;
        outbox.send(frame);
      } else {
        waiting.add(call);
      }
      return true;
    }
  }

  @Override
  public void onFrame(InboundFrame frame) {
    Object value;
    try {
      value = decoder.bare(frame);
    } catch (ProtocolException e) {
      throw new UnreadableAnswer(e);
    }
    PendingCall answered;
    synchronized (this) {
      answered = current;
      if (answered == null) {
        throw new ProtocolException("The worker sent an answer when no call was waiting for one");
      }
      outbox.readByWorker(answered.frame());
      current = null;
      sendNext();
    }
    if (value instanceof Map<?, ?> map && map.containsKey("error")) {
      answered.fail(
          new PythonException(
              PythonException.Kind.ERROR_ANSWER, "", String.valueOf(map.get("error")), ""));
    } else {
      answered.succeed(value);
    }
  }

  private void sendNext() {
    PendingCall next;
    while ((next = waiting.poll()) != null) {
      if (!next.isDone()) {
        current = next;
        outbox.send(next.frame());
        return;
      }
    }
  }

  @Override
  public void timedOut(PendingCall call) {
    boolean inProgress;
    synchronized (this) {
      inProgress = call == current;
      if (!inProgress) {
        waiting.remove(call);
      }
    }
    call.fail(new CallTimeoutException(call.timeout(), inProgress));
    if (inProgress) {
      replacer.replace("a call timed out after " + call.timeout().toMillis() + " ms");
    }
  }

  @Override
  public void cancelled(PendingCall call) {
    boolean inProgress;
    synchronized (this) {
      inProgress = call == current;
      if (!inProgress) {
        waiting.remove(call);
      }
    }
    if (inProgress) {
      replacer.replace("the call in progress was cancelled");
    }
  }

  @Override
  public synchronized List<PendingCall> close(RuntimeException cause, boolean keepUnsent) {
    closed = true;
    if (current != null) {
      current.fail(cause);
      current = null;
    }
    List<PendingCall> unsent = new ArrayList<>();
    for (PendingCall call : waiting) {
      if (keepUnsent) {
        unsent.add(call);
      } else {
        call.fail(cause);
      }
    }
    waiting.clear();
    return unsent;
  }
}
