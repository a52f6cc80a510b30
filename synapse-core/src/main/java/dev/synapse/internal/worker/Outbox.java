package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.FrameWriter;
import dev.synapse.internal.protocol.OutboundFrame;
import dev.synapse.internal.supervision.SharedThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way to a worker's stdin; frames never interleave and no caller blocks on a full pipe.
 *
 * <p>A small frame is written by the calling thread itself when nothing else is being written or
 * waits to be, and the pipe surely has room for it: that saves waking a thread, which is most of
 * what a round trip costs. Every other frame is queued for this outbox's writer thread, which
 * writes what has gathered in one batch, so a burst of concurrent calls costs few system calls. A
 * frame is written directly only when no frame is queued, so frames sent by one thread stay in
 * order. When the pipe breaks (the worker died) the remaining frames are dropped: the reader thread
 * sees the end of the worker and fails the calls.
 *
 * <p>The room in the pipe comes from counting: every frame written gets its end offset in the
 * stream, and the channel reports each frame the worker has answered to, which it has read.
 * Whatever was written after the furthest such frame may still be in the pipe.
 */
final class Outbox {
  /**
   * How many bytes a pipe surely holds: Linux gives a new pipe a single page once its user has many
   * pipes open (see {@code pipe-user-pages-soft}).
   */
  static final long PIPE_ROOM = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final Object CLOSE = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger unwritten = new AtomicInteger();
  private final AtomicLong read = new AtomicLong();
  private final ReentrantLock writing = new ReentrantLock();
  private final OutputStream stdin;
  private final FrameWriter writer;
  private long written; // guarded by writing
  private volatile boolean closed;

  Outbox(String name, OutputStream stdin) {
    this.stdin = stdin;
    this.writer = new FrameWriter(stdin);
    SharedThreads.startDaemon(name, this::run);
  }

  /** Sends {@code frame}; ignored once the outbox is closed. */
  void send(OutboundFrame frame) {
    if (closed) {
      return;
    }
    if (frame.length() + 4 <= PIPE_ROOM && writeDirectly(frame)) {
      return;
    }
    unwritten.incrementAndGet();
    queue.add(frame);
  }

  /**
   * Tells the outbox that the worker has read {@code frame} (it answered it), and so everything
   * written before it.
   */
  void readByWorker(OutboundFrame frame) {
    long end = frame.end();
    if (end > read.get()) {
      read.accumulateAndGet(end, Math::max);
    }
  }

  /**
   * Writes {@code frame} unless a frame is queued or being written or the pipe may be too full;
   * true if the frame is taken care of (written, or dropped because the outbox is closed).
   */
  private boolean writeDirectly(OutboundFrame frame) {
    if (unwritten.get() != 0 || !writing.tryLock()) {
      return false;
    }
    try {
      if (unwritten.get() != 0 || written - read.get() + frame.length() + 4 > PIPE_ROOM) {
        return false;
      }
      if (!closed) {
        write(frame);
        writer.flush();
      }
    } catch (IOException e) {
      LOG.debug("The worker's stdin is closed: {}", e.getMessage());
      close();
    } finally {
      writing.unlock();
    }
    return true;
  }

  private void write(OutboundFrame frame) throws IOException {
    writer.write(frame);
    written += frame.length() + 4;
    frame.written(written);
  }

  /** Writes what is queued, then closes the worker's stdin, which asks it to exit. */
  void close() {
    if (!closed) {
      closed = true;
      unwritten.incrementAndGet();
      queue.add(CLOSE);
    }
  }

  private void run() {
    List<Object> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        writing.lock();
        try {
          queue.drainTo(batch);
          if (writeBatch(batch)) {
            return;
          }
        } finally {
          writing.unlock();
        }
        unwritten.addAndGet(-batch.size());
        batch.clear();
      }
    } catch (IOException e) {
      LOG.debug("The worker's stdin is closed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      queue.clear();
      writing.lock();
      try {
        closeQuietly();
      } finally {
        writing.unlock();
      }
    }
  }

  /** Writes {@code batch}; true if it ended with the request to close. */
  private boolean writeBatch(List<Object> batch) throws IOException {
    for (Object item : batch) {
      if (item == CLOSE) {
        writer.flush();
        return true;
      }
      write((OutboundFrame) item);
    }
    writer.flush();
    return false;
  }

  private void closeQuietly() {
    try {
      stdin.close();
    } catch (IOException e) {
      LOG.debug("Closing the worker's stdin failed: {}", e.getMessage());
    }
  }
}
