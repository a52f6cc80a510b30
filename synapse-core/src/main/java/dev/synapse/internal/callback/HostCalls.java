package dev.synapse.internal.callback;

import dev.synapse.ExposedFunction;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls one worker makes to the host's exposed functions (HOST_CALL, docs/protocol.md): each
 * runs on the functions' executor and is answered with HOST_RESULT or HOST_ERROR.
 *
 * <p>A request names the worker's call it is made for (its parent); a request whose parent is no
 * longer waited for (cancelled, timed out) is refused at once, and when the host gives up on a call
 * ({@link #cancelUnder}) the requests made for it are cancelled: their futures cancelled, their
 * threads interrupted, and nothing is answered for them (the worker ends their waits itself when
 * the CANCEL of the parent reaches it). The worker may also withdraw a request (HOST_CANCEL).
 *
 * <p>Threads: {@link #onCall} and {@link #onCancel} run on the worker's reader thread and only hand
 * work over; {@link #cancelUnder} on whichever thread gives up on a call. Answers are sent from the
 * function's thread. Thread-safe.
 */
public final class HostCalls {
  private static final Logger LOG = LoggerFactory.getLogger(HostCalls.class);

  /** Caps the stack trace sent back; the worker's frame limit may be smaller still. */
  private static final int TRACE_CHARACTERS = 64 * 1024;

  private final HostFunctions functions;
  private final Consumer<OutboundFrame> send;
  private final int maxFrameBytes;
  private final LongPredicate waitedFor;
  private final ConcurrentHashMap<Long, Running> running = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param send writes a frame to the worker
   * @param waitedFor whether the host still waits for the answer to the worker's call of an id
   */
  public HostCalls(
      HostFunctions functions,
      Consumer<OutboundFrame> send,
      int maxFrameBytes,
      LongPredicate waitedFor) {
    this.functions = functions;
    this.send = send;
    this.maxFrameBytes = maxFrameBytes;
    this.waitedFor = waitedFor;
  }

  /** HOST_CALL {@code id}: runs {@code request} unless it cannot or may not run. */
  public void onCall(long id, Messages.HostCall request) {
    Long parent = request.parent();
    ExposedFunction<Object, ?> function = functions.get(request.function());
    if (function == null) {
      send(Messages.hostError(id, unknown(request.function())));
    } else if (closed || (parent != null && !waitedFor.test(parent))) {
      send(Messages.hostError(id, refused(parent)));
    } else {
      Running call = new Running(id, parent, function, request.payload());
      if (running.putIfAbsent(id, call) != null) {
        LOG.warn("The worker reused the id {} of a host call still running; ignored", id);
        return;
      }
      if (closed || (parent != null && !waitedFor.test(parent))) {
        running.remove(id, call); // the parent was given up on meanwhile
        send(Messages.hostError(id, refused(parent)));
        return;
      }
      start(call);
    }
  }

  private void start(Running call) {
    try {
      functions.executor().execute(call);
    } catch (RejectedExecutionException e) {
      running.remove(call.id, call);
      send(Messages.hostError(call.id, failure(e, "java")));
    }
  }

  /** HOST_CANCEL {@code id}: the worker no longer waits for it. */
  public void onCancel(long id) {
    Running call = running.remove(id);
    if (call != null) {
      call.cancel(true);
    }
  }

  /** The host gave up on the worker's call {@code parent}: the requests made for it end. */
  public void cancelUnder(long parent) {
    if (running.isEmpty()) {
      return;
    }
    for (Running call : running.values()) {
      if (call.parent != null && call.parent == parent && running.remove(call.id, call)) {
        call.cancel(true);
      }
    }
  }

  /** The worker ended: every request still running is cancelled. */
  public void close() {
    closed = true;
    for (Long id : running.keySet()) {
      onCancel(id);
    }
  }

  private void send(OutboundFrame frame) {
    if (!closed) {
      send.accept(frame);
    }
  }

  private Map<String, String> unknown(String name) {
    String message =
        functions.isEmpty()
            ? "the host exposes no functions (expose them with the builder's expose(name, fn))"
            : "the host exposes no function named '"
                + name
                + "'; it exposes: "
                + String.join(", ", functions.names());
    return error("java.util.NoSuchElementException", message, "", "function");
  }

  private static Map<String, String> refused(Long parent) {
    return error(
        "java.util.concurrent.CancellationException",
        "call " + parent + " was cancelled or timed out: the host refuses the calls made for it",
        "",
        "cancelled");
  }

  private static Map<String, String> failure(Throwable thrown, String kind) {
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    if (text.length() > TRACE_CHARACTERS) {
      text = text.substring(0, TRACE_CHARACTERS) + "... [cut]";
    }
    return error(thrown.getClass().getName(), String.valueOf(thrown.getMessage()), text, kind);
  }

  private static Map<String, String> error(String type, String message, String trace, String kind) {
    Map<String, String> error = new LinkedHashMap<>();
    error.put("type", type);
    error.put(
        "message",
        message.length() <= TRACE_CHARACTERS ? message : message.substring(0, TRACE_CHARACTERS));
    error.put("traceback", trace);
    error.put("kind", kind);
    return error;
  }

  /** One request running; its end sends the answer, unless it was cancelled. */
  private final class Running extends FutureTask<Object> {
    final long id;
    final Long parent;

    Running(long id, Long parent, ExposedFunction<Object, ?> function, Object payload) {
      super(() -> function.apply(payload));
      this.id = id;
      this.parent = parent;
    }

    @Override
    protected void done() {
      if (isCancelled() || !running.remove(id, this)) {
        return; // cancelled: the worker ends its wait itself
      }
      OutboundFrame answer;
      try {
        answer = Messages.hostResult(id, get(), maxFrameBytes);
      } catch (ExecutionException e) {
        answer = Messages.hostError(id, failure(e.getCause(), "java"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // not reached: get() of a task that is done
        return;
      } catch (RuntimeException | StackOverflowError e) {
        answer = Messages.hostError(id, failure(e, "encode"));
      }
      send(answer);
    }
  }
}
