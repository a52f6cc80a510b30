package dev.synapse.arrow;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * The input of a stream: {@code count} batches (or endless, for a negative count) of {@link
 * Batches#wide} rows, each copied from one template when it is pulled, in an allocator of its own,
 * and closed when the next is pulled or the stream is closed. So the allocator's peak shows how
 * many batches were alive at once, and it reads zero once Synapse has closed the stream.
 */
final class BatchFeed implements Iterator<VectorSchemaRoot> {
  final BufferAllocator allocator;
  final AtomicInteger pulled = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();
  private final int count;
  private final VectorSchemaRoot template;
  private VectorSchemaRoot current;

  BatchFeed(BufferAllocator parent, int count, int rows) {
    this.allocator = parent.newChildAllocator("feed", 0, Long.MAX_VALUE);
    this.count = count;
    this.template = Batches.wide(allocator, rows);
  }

  /** The feed as the stream Synapse pulls and closes. */
  Stream<VectorSchemaRoot> stream() {
    Stream<VectorSchemaRoot> batches = Stream.generate(this::next);
    return (count < 0 ? batches : batches.limit(count)).onClose(this::close);
  }

  @Override
  public synchronized boolean hasNext() {
    return !closed.get() && (count < 0 || pulled.get() < count);
  }

  @Override
  public synchronized VectorSchemaRoot next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    closeCurrent();
    current = VectorSchemaRoot.create(template.getSchema(), allocator);
    current.allocateNew(); // the appender needs the offsets' first entry in place
    VectorSchemaRootAppender.append(current, template);
    pulled.incrementAndGet();
    return current;
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  synchronized void close() {
    closeCurrent();
    if (closed.compareAndSet(false, true)) {
      template.close();
      allocator.close(); // throws if a batch is still open
    }
  }
}
