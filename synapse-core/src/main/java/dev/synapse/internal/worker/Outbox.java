package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.FrameWriter;
import dev.synapse.internal.protocol.OutboundFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of a worker's stdin. Callers enqueue encoded frames and return at once; this
 * thread writes them in batches, so frames never interleave, no caller ever blocks on a full pipe,
 * and a burst of concurrent calls costs few system calls. When the pipe breaks (the worker died)
 * the remaining frames are dropped: the reader thread sees the end of the worker and fails the
 * calls.
 */
final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final Object CLOSE = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final OutputStream stdin;
  private final FrameWriter writer;
  private volatile boolean closed;

  Outbox(String name, OutputStream stdin) {
    this.stdin = stdin;
    this.writer = new FrameWriter(stdin);
    Threads.startDaemon(name, this::run);
  }

  /** Queues {@code frame} for writing; ignored once the outbox is closed. */
  void send(OutboundFrame frame) {
    if (!closed) {
      queue.add(frame);
    }
  }

  /** Writes what is queued, then closes the worker's stdin, which asks it to exit. */
  void close() {
    if (!closed) {
      closed = true;
      queue.add(CLOSE);
    }
  }

  private void run() {
    List<Object> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch);
        for (Object item : batch) {
          if (item == CLOSE) {
            writer.flush();
            return;
          }
          writer.write((OutboundFrame) item);
        }
        batch.clear();
        writer.flush();
      }
    } catch (IOException e) {
      LOG.debug("The worker's stdin is closed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      queue.clear();
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      stdin.close();
    } catch (IOException e) {
      LOG.debug("Closing the worker's stdin failed: {}", e.getMessage());
    }
  }
}
