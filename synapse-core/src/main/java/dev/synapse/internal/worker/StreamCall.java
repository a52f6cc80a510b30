package dev.synapse.internal.worker;

import dev.synapse.CallTimeoutException;
import dev.synapse.ProtocolException;
import dev.synapse.SynapseException;
import dev.synapse.internal.supervision.CallTerms;
import dev.synapse.internal.supervision.Scheduler;
import dev.synapse.internal.supervision.SharedThreads;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One stream: a call whose generator in the worker answers with ITEM frames until END or ERROR, and
 * the blocking iterator its consumer reads them with. As a future it is the stream's outcome: it
 * completes at END, fails at ERROR, worker death or a timeout, and is cancelled by {@link
 * #close()}; the iterator hands out every item received before that, then ends or throws.
 *
 * <p><b>Credit.</b> The worker may send only the items the host granted: {@value #INITIAL_CREDIT}
 * with the STREAM frame, more with CREDIT frames as the consumer takes them. The consumer keeps
 * {@code granted - delivered} (items granted but not yet handed out, queued here or still to come)
 * at most the window, and tops it up once half of it has been taken, so a fast stream costs one
 * CREDIT frame per 128 items. The window is {@value #MAX_WINDOW} items, fewer when items are large:
 * about {@value #BYTE_BUDGET} bytes at their average encoded size, but never less than one. So the
 * reader thread never blocks on a slow consumer and the queue never holds more than the window; an
 * item beyond the credit is a {@link ProtocolException}, which replaces the worker.
 *
 * <p><b>Threads.</b> {@link #offer} runs on the reader thread, {@link #succeed} and {@link #fail}
 * wherever the call ends (the reader thread, a lifecycle thread), the iterator on one consumer
 * thread at a time, {@link #close()} on any. The queue and the end state are guarded by {@code
 * lock}; the consumer swaps the whole queue for its empty batch at once, so it takes the lock once
 * per batch, and the reader signals only when the consumer waits. Nothing is called out of this
 * class while the lock is held: giving up on the call (timeout, interrupt, close) takes the
 * supervisor's lock.
 *
 * <p><b>Leaks.</b> A stream that is dropped unclosed is cancelled once its iterator is garbage (a
 * {@link Cleaner} watches the iterator object, which this class does not reference), so a {@code
 * stream.limit(5).toList()} without try-with-resources does not keep a generator open for ever.
 */
final class StreamCall extends PendingCall {
  /** The credit sent with the STREAM frame, before the size of the items is known. */
  static final int INITIAL_CREDIT = 8;

  /** The most items granted and not yet handed to the consumer. */
  static final int MAX_WINDOW = 256;

  /** The window in bytes: large items get a window of fewer items. */
  static final long BYTE_BUDGET = 8L * 1024 * 1024;

  static final String SEED_STYLE =
      "Streams need a module served by pysynapse.serve(...): this module runs its own loop (seed"
          + " style), which answers each call with one value; use call()";

  /** Stands for a Python None in the queues, which do not take null. */
  private static final Object NONE = new Object();

  /** Sends CREDIT frames for a stream: set by the channel that sent it. */
  interface CreditLine {
    void grant(StreamCall stream, long count);
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private ArrayDeque<Object> queue = new ArrayDeque<>(); // lock
  private boolean ended; // lock: END, ERROR or the end of the worker arrived
  private Throwable failure; // lock: why it ended, or null at END
  private boolean waiting; // lock: the consumer waits for changed
  private volatile boolean closed;

  private volatile CreditLine creditLine;
  private volatile long granted = INITIAL_CREDIT; // written by the consumer only
  private volatile long averageBytes; // written by the reader only
  private long received; // reader thread

  private ArrayDeque<Object> batch = new ArrayDeque<>(); // consumer thread
  private long delivered; // consumer thread
  private boolean finished; // consumer thread: the iterator returned false
  private RuntimeException thrown; // consumer thread: what the iterator threw at the end

  StreamCall(CallTerms terms, Scheduler scheduler) {
    super(terms, null, scheduler);
  }

  /** The caller's view: a sequential, ordered stream; closing it closes this call. */
  Stream<Object> open() {
    Items items = new Items(this);
    Cleaner.Cleanable cleanable = SharedThreads.CLEANER.register(items, this::close);
    Spliterator<Object> spliterator =
        Spliterators.spliteratorUnknownSize(items, Spliterator.ORDERED);
    return StreamSupport.stream(spliterator, false).onClose(cleanable::clean);
  }

  void creditLine(CreditLine line) {
    this.creditLine = line;
  }

  /** Streams have no timer for the whole call: the timeout bounds each wait for an item. */
  @Override
  void startTimer() {}

  /**
   * One ITEM from the worker, {@code bytes} long encoded; on the reader thread.
   *
   * @throws ProtocolException if the worker had no credit for it
   */
  void offer(Object item, int bytes) {
    long count = ++received;
    if (count > granted) {
      throw new ProtocolException(
          "The worker sent item "
              + count
              + " of stream "
              + id()
              + " with credit for only "
              + granted
              + " items");
    }
    long average = averageBytes;
    averageBytes = average == 0 ? Math.max(1, bytes) : Math.max(1, average + (bytes - average) / 8);
    lock.lock();
    try {
      if (!closed) {
        queue.add(item == null ? NONE : item);
      }
      if (waiting) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** END: the items received so far are all there is. */
  @Override
  public void succeed(Object value) {
    super.succeed(null); // first: the consumer, once woken, may close (cancel) the stream
    end(null);
  }

  /** ERROR, the end of the worker, or a failure before the stream was sent. */
  @Override
  public void fail(Throwable error) {
    super.fail(error);
    end(error);
  }

  /**
   * Gives up on the stream from the host's side (its input could not be sent, its wait timed out):
   * the consumer gets {@code error} after the items received before it.
   */
  @Override
  public boolean abandon(Throwable error) {
    boolean abandoned = super.abandon(error);
    end(error);
    return abandoned;
  }

  private void end(Throwable error) {
    lock.lock();
    try {
      if (!ended) {
        ended = true;
        failure = error;
      }
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the stream from the consumer's side: items not taken yet are dropped, and the generator
   * is closed in the worker unless the stream has ended. Idempotent, from any thread.
   */
  void close() {
    lock.lock();
    try {
      closed = true;
      queue.clear();
      changed.signal();
    } finally {
      lock.unlock();
    }
    cancel(false);
  }

  private boolean hasNextItem() {
    if (closed) {
      throw new IllegalStateException("The stream was closed");
    }
    while (batch.isEmpty()) {
      if (thrown != null) {
        throw thrown;
      }
      if (finished) {
        return false;
      }
      refill();
    }
    return true;
  }

  private Object nextItem() {
    if (!hasNextItem()) {
      throw new NoSuchElementException("The stream has ended");
    }
    Object item = batch.poll();
    delivered++;
    topUp();
    return item == NONE ? null : item;
  }

  /** Grants credit once the items granted and not yet handed out are at most half the window. */
  private void topUp() {
    long unseen = granted - delivered;
    long window = window();
    if (unseen > window / 2 || isDone()) {
      return;
    }
    CreditLine line = creditLine;
    if (line != null && window > unseen) {
      granted += window - unseen;
      line.grant(this, window - unseen);
    }
  }

  private long window() {
    long average = averageBytes;
    return average <= 0 ? MAX_WINDOW : Math.max(1, Math.min(MAX_WINDOW, BYTE_BUDGET / average));
  }

  /** Wakes the consumer waiting in {@link #refill}, so that it looks at the time again. */
  private void wakeConsumer() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the consumer has nothing to take yet: no item queued, no end, no close. */
  private boolean mustWait() {
    lock.lock();
    try {
      return queue.isEmpty() && !ended && !closed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for items or the end and takes what is queued; sets {@code finished} or {@code thrown} at
   * the end, after every item received before it.
   */
  private void refill() {
    assert !lock.isHeldByCurrentThread() : "a scheduler may run the alarm at once, on this thread";
    long timeoutNanos = timeout().toNanos();
    Scheduler clock = scheduler();
    long deadline = clock.read() + timeoutNanos;
    // The wait ends when an item, the end or the close signals, or when this alarm does. Only a
    // consumer that finds nothing to take needs it: most refills of a busy stream find items.
    Future<?> alarm =
        timeoutNanos == 0 || !mustWait() ? null : clock.schedule(this::wakeConsumer, timeoutNanos);
    boolean isEnded = false;
    boolean interrupted = false;
    Throwable why = null;
    lock.lock();
    try {
      while (queue.isEmpty() && !ended && !closed) {
        if (timeoutNanos != 0 && deadline - clock.read() <= 0) {
          break;
        }
        waiting = true;
        changed.await();
        waiting = false;
      }
      if (!queue.isEmpty() && !closed) {
        ArrayDeque<Object> full = queue;
        queue = batch;
        batch = full;
        return;
      }
      isEnded = ended;
      why = failure;
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      waiting = false;
      lock.unlock();
      if (alarm != null) {
        alarm.cancel(false);
      }
    }
    if (interrupted) {
      cancel(false);
      Thread.currentThread().interrupt();
      thrown = new SynapseException("Interrupted while waiting for the next item of the stream");
    } else if (closed) {
      throw new IllegalStateException("The stream was closed");
    } else if (isEnded && why == null) {
      finished = true;
    } else if (isEnded) {
      thrown =
          why instanceof RuntimeException runtime
              ? runtime
              : new SynapseException(why.toString(), why);
    } else {
      CallTimeoutException timedOut = new CallTimeoutException(timeout(), false);
      if (abandon(timedOut)) {
        thrown = timedOut;
      }
      // Otherwise the stream ended meanwhile: the next round takes what arrived.
    }
  }

  /**
   * What the caller's stream iterates: a separate object, so that the {@link Cleaner} can tell when
   * the caller has dropped it (the call itself stays reachable from its channel).
   */
  private static final class Items implements Iterator<Object> {
    private final StreamCall call;

    Items(StreamCall call) {
      this.call = call;
    }

    // The fences keep this object reachable while a call waits for an item, so the cleaner does
    // not close the stream under a consumer that holds nothing else of it.

    @Override
    public boolean hasNext() {
      try {
        return call.hasNextItem();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public Object next() {
      try {
        return call.nextItem();
      } finally {
        Reference.reachabilityFence(this);
      }
    }
  }
}
