package dev.synapse.internal.worker;

import dev.synapse.EncodingException;
import dev.synapse.PythonException;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import dev.synapse.internal.supervision.SharedThreads;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends the items of one call's input stream to the worker, as fast as the worker takes them.
 *
 * <p><b>Credit.</b> The worker grants credit (INPUT_CREDIT) when the handler starts and as it takes
 * items; the feed pulls one item from the caller's iterator per credit, and none without. So
 * neither the host (the frames waiting to be written) nor the worker (its feed's buffer) holds more
 * than the worker's window of items, however long the stream. The input ends with INPUT_END, or
 * with INPUT_ERROR when the iterator throws (its position, class and message go to the worker,
 * whose handler sees {@code pysynapse.InputStreamError}; the exception becomes the cause of the
 * call's {@link PythonException} if the handler lets it through).
 *
 * <p><b>Threads.</b> The iterator is pulled on a feeder thread ({@code synapse-feeder-N}, a cached
 * pool shared by all feeds), never on the worker's reader thread: a caller's iterator may block
 * (reading a file, waiting for a producer) or be slow, and the reader must go on reading answers. A
 * feed has at most one task at a time, scheduled when credit arrives and none is running; the task
 * pulls while credit lasts and then ends, so a feed waiting for credit holds no thread. {@link
 * #grant} runs on the reader thread and {@link #stop} wherever the call ends; both only take {@code
 * lock} for a moment and hand work to the feeder pool, which alone calls the caller's code (the
 * iterator, the stream's close).
 *
 * <p><b>The end.</b> When the call is over (answered, failed, cancelled, timed out, the worker
 * died) the feed stops: it pulls no further item (an item being pulled when it stops is still sent,
 * and the worker drops it) and closes the caller's {@link java.util.stream.Stream}. An item that
 * cannot be encoded fails the call with an {@link EncodingException} naming its position, which
 * cancels the call in the worker.
 */
final class InputFeed {
  private static final ExecutorService FEEDERS =
      Executors.newCachedThreadPool(SharedThreads.daemon("synapse-feeder-"));

  private final PendingCall call;
  private final InputSource source;
  private final Outbox outbox;
  private final int maxFrameBytes;
  private final Object lock = new Object();
  private long credit; // lock
  private boolean pumping; // lock: a task of this feed is scheduled or running
  private boolean stopped; // lock: pull no more items
  private long position; // the feeder task: items sent so far
  private volatile Throwable failure; // what the caller's iterator threw

  InputFeed(PendingCall call, InputSource source, Outbox outbox, int maxFrameBytes) {
    this.call = call;
    this.source = source;
    this.outbox = outbox;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The worker may take {@code count} more items; on the reader thread. */
  void grant(long count) {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      credit += count;
      if (pumping) {
        return;
      }
      pumping = true;
    }
    FEEDERS.execute(this::pump);
  }

  /** The call is over: pull nothing more, and close the caller's stream. Idempotent. */
  void stop() {
    assert !Thread.holdsLock(lock);
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (pumping) {
        return; // the running task closes the source when it sees stopped
      }
      pumping = true;
    }
    FEEDERS.execute(source::close);
  }

  /**
   * The error the call failed with, given the iterator's own exception as its cause when the
   * handler failed with the {@code InputStreamError} that exception caused.
   */
  Throwable explain(Throwable error) {
    Throwable thrown = failure;
    if (thrown != null
        && error instanceof PythonException python
        && "pysynapse.InputStreamError".equals(python.pythonType())
        && python.getCause() == null) {
      python.initCause(thrown);
    }
    return error;
  }

  private void pump() {
    Iterator<?> items = source.iterator();
    long id = call.id();
    while (true) {
      synchronized (lock) {
        if (stopped) {
          break;
        }
        if (credit == 0) {
          pumping = false;
          return;
        }
        credit--;
      }
      Object item;
      try {
        if (!items.hasNext()) {
          outbox.send(Messages.inputEnd(id));
          break;
        }
        item = items.next();
      } catch (RuntimeException | Error e) {
        failure = e;
        outbox.send(Messages.inputError(id, position, e));
        break;
      }
      OutboundFrame frame;
      try {
        frame = Messages.input(id, item, maxFrameBytes);
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        call.abandon(unencodable(e));
        break;
      }
      outbox.send(frame);
      position++;
    }
    synchronized (lock) {
      stopped = true; // pumping stays true: no task of this feed is scheduled again
    }
    source.close();
  }

  private EncodingException unencodable(Throwable e) {
    String why = EncodeFailures.of(e).getMessage();
    EncodingException error =
        new EncodingException("Item " + position + " of the input stream cannot be sent: " + why);
    error.initCause(e);
    return error;
  }
}
