package dev.synapse.spark;

import dev.synapse.ExtensionValue;
import dev.synapse.Request;
import dev.synapse.SynapseException;
import dev.synapse.SynapsePool;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskInterruptListener;

/**
 * One task's call: the partition's batches stream into the Python function as the items of one
 * input stream ({@link Request#streamInput}), and the batches it yields come back as the items of
 * the call's output stream (stream in, stream out, on one worker of the executor's pool).
 *
 * <p><b>Threads.</b> The task's thread reads the answers ({@link #hasNext}, {@link #next}). The
 * input is pulled by Synapse's feeder thread, as the worker takes it; that thread reads the task's
 * upstream rows, so it runs with the task's {@link TaskContext} set, and it pulls under the lock of
 * {@link Feed}, which {@link #close()} takes to stop it before the task's memory is freed. When
 * Spark kills the task, its interrupt listener interrupts the task's thread: the wait for the next
 * answer ends, the call is cancelled in the worker, and the task ends with Spark's {@code
 * TaskKilledException}.
 */
final class TaskStream implements Iterator<byte[]>, AutoCloseable {
  /** Extension code of an Arrow IPC stream (docs/protocol.md). */
  static final byte ARROW = 2;

  private final SynapsePool pool;
  private final String function;
  private final TaskContext task;
  private final Feed feed;
  private Stream<Object> answers;
  private Iterator<Object> answerIterator;
  private long pythonNanos;

  TaskStream(SynapsePool pool, String function, TaskContext task, Iterator<byte[]> batches) {
    this.pool = pool;
    this.function = function;
    this.task = task;
    this.feed = new Feed(batches, task);
    if (task != null) {
      Thread taskThread = Thread.currentThread();
      task.addTaskInterruptListener(
          (TaskInterruptListener) (context, reason) -> taskThread.interrupt());
    }
  }

  @Override
  public boolean hasNext() {
    long start = System.nanoTime();
    try {
      if (answers == null) {
        answers = pool.stream(Request.streamInput(function, feed));
        answerIterator = answers.iterator();
      }
      return answerIterator.hasNext();
    } catch (SynapseException e) {
      if (task != null) {
        task.killTaskIfInterrupted(); // the wait was interrupted by a kill: say so, not this
      }
      throw e;
    } finally {
      pythonNanos += System.nanoTime() - start;
    }
  }

  /** The next batch Python yielded, as an Arrow IPC stream. */
  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Object answer = answerIterator.next();
    if (answer instanceof ExtensionValue value && value.type() == ARROW) {
      return value.data();
    }
    throw new SynapseException(
        "The Python function '"
            + function
            + "' must yield Arrow tables or record batches (pyarrow.Table, pyarrow.RecordBatch,"
            + " pandas.DataFrame), yielded "
            + (answer == null ? "None" : answer.getClass().getSimpleName()));
  }

  /** Calls made: one for a partition that had rows. */
  long calls() {
    return answers == null ? 0 : 1;
  }

  /** Time the task's thread waited for Python's answers. */
  long pythonNanos() {
    return pythonNanos;
  }

  /**
   * Ends the call (cancelled in the worker if it has not ended) and waits until the feeder is out
   * of the task's rows; afterwards the input is never pulled again.
   */
  @Override
  public void close() {
    try {
      if (answers != null) {
        answers.close();
      }
    } finally {
      feed.close();
    }
  }

  /** The input stream of the call: each batch as an Arrow extension value. */
  private static final class Feed implements Iterator<Object> {
    private final Iterator<byte[]> batches;
    private final TaskContext task;
    private boolean closed; // guarded by this

    Feed(Iterator<byte[]> batches, TaskContext task) {
      this.batches = batches;
      this.task = task;
    }

    @Override
    public synchronized boolean hasNext() {
      return !closed && inTask(batches::hasNext);
    }

    @Override
    public synchronized Object next() {
      if (closed) {
        throw new NoSuchElementException("The task has ended");
      }
      return new ExtensionValue(ARROW, inTask(batches::next));
    }

    synchronized void close() {
      closed = true;
    }

    private <T> T inTask(scala.Function0<T> pull) {
      return task == null ? pull.apply() : TaskContext.withTaskContext(task, pull);
    }
  }
}
