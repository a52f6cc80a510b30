package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.FrameWriter;
import dev.synapse.internal.protocol.OutboundFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way to a worker's stdin; frames never interleave and no caller ever blocks on a full
 * pipe.
 *
 * <p>A small frame that surely fits into the pipe is written by the calling thread itself when
 * nothing else is being written or waits to be: that saves waking a thread, which is most of what a
 * round trip costs. Every other frame is queued for this outbox's writer thread, which writes what
 * has gathered in one batch, so a burst of concurrent calls costs few system calls. A frame is
 * written directly only when no frame is queued, so frames sent by one thread stay in order. When
 * the pipe breaks (the worker died) the remaining frames are dropped: the reader thread sees the
 * end of the worker and fails the calls.
 */
final class Outbox {
  /**
   * How many bytes the pipe is sure to hold without blocking the writer: Linux and macOS pipes take
   * at least 16 KiB.
   */
  static final long PIPE_ROOM = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final Object CLOSE = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger unwritten = new AtomicInteger();
  private final ReentrantLock writing = new ReentrantLock();
  private final OutputStream stdin;
  private final FrameWriter writer;
  private volatile boolean closed;

  Outbox(String name, OutputStream stdin) {
    this.stdin = stdin;
    this.writer = new FrameWriter(stdin);
    Threads.startDaemon(name, this::run);
  }

  /**
   * Sends {@code frame}; ignored once the outbox is closed.
   *
   * @param unreadBound at most how many bytes sent earlier the worker may not have read yet: the
   *     frame is written on the calling thread only if it fits into the pipe on top of them
   */
  void send(OutboundFrame frame, long unreadBound) {
    if (closed) {
      return;
    }
    if (unreadBound + frame.length() + 4 <= PIPE_ROOM && writeDirectly(frame)) {
      return;
    }
    unwritten.incrementAndGet();
    queue.add(frame);
  }

  /** Writes {@code frame} unless a frame is queued or being written; false if it did not. */
  private boolean writeDirectly(OutboundFrame frame) {
    if (unwritten.get() != 0 || !writing.tryLock()) {
      return false;
    }
    try {
      if (unwritten.get() != 0) {
        return false;
      }
      if (!closed) {
        writer.write(frame);
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
      writer.write((OutboundFrame) item);
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
