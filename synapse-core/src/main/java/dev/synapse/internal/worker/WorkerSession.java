package dev.synapse.internal.worker;

import dev.synapse.InstanceDisposedException;
import dev.synapse.ProtocolException;
import dev.synapse.SpawnException;
import dev.synapse.WorkerExitedException;
import dev.synapse.WorkerInfo;
import dev.synapse.internal.launch.LiveProcesses;
import dev.synapse.internal.launch.ProcessTree;
import dev.synapse.internal.launch.StderrPump;
import dev.synapse.internal.launch.WorkerLaunch;
import dev.synapse.internal.protocol.FrameReader;
import dev.synapse.internal.protocol.InboundFrame;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutputEndedInsideFrame;
import dev.synapse.internal.shm.SharedRegion;
import dev.synapse.internal.supervision.Listeners;
import dev.synapse.internal.supervision.SharedThreads;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process from launch to exit: its stdin writer ({@link Outbox}), its stdout reader
 * thread, its stderr pump, and the {@link Channel} chosen by its READY frame.
 *
 * <p>The reader thread is the only one that notices the end of a worker, whatever the cause (exit,
 * crash, kill, garbage on stdout); it then reaps the process, fails the calls in flight with one
 * exception that carries the exit code and stderr tail, and reports the end to the supervisor. It
 * never runs callers' code: calls made with {@code callAsync} complete on the callback executor.
 */
final class WorkerSession {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerSession.class);
  private static final long STDERR_DRAIN_MILLIS = 1000;

  /**
   * Told, on the reader thread, when a session that was ready ends: first {@link #sessionEnding}
   * before the calls in flight fail, so that whoever sees such a failure also sees the worker gone,
   * then {@link #sessionEnded} with the calls that were never sent.
   */
  interface EndListener {
    void sessionEnding(WorkerSession session, RuntimeException cause, String replacement);

    void sessionEnded(
        WorkerSession session,
        RuntimeException cause,
        List<PendingCall> unsent,
        String replacement);
  }

  private final WorkerConfig config;
  private final EndListener endListener;
  private final Process process;
  private final StderrPump stderr;
  private final Outbox outbox;
  private final Thread reader;
  private final CompletableFuture<WorkerInfo> ready = new CompletableFuture<>();
  private volatile Channel channel;
  private volatile SharedRegion region;
  private volatile boolean disposing;
  private volatile String replacement;
  private volatile List<ProcessHandle> family = List.of();
  private final long launchedAt = System.nanoTime();

  private WorkerSession(WorkerConfig config, EndListener endListener) {
    this.config = config;
    this.endListener = endListener;
    this.stderr = new StderrPump(config.script(), config.module(), config.listener());
    try {
      this.process =
          WorkerLaunch.start(
              config.python(),
              config.script(),
              config.maxFrameBytes(),
              config.environment(),
              config.sharedMemory().enabled() ? config.sharedMemory().threshold() : 0);
    } catch (Throwable e) {
      stderr.abandon();
      throw e;
    }
    stderr.read(process.getErrorStream(), process.pid());
    String suffix = config.module() + "-" + process.pid();
    this.outbox = new Outbox("synapse-writer-" + suffix, process.getOutputStream());
    this.reader = SharedThreads.startDaemon("synapse-reader-" + suffix, this::readLoop);
  }

  /** Starts a worker; it is not ready yet, see {@link #awaitReady()}. */
  static WorkerSession launch(WorkerConfig config, EndListener endListener) {
    return new WorkerSession(config, endListener);
  }

  /**
   * Waits for the READY frame.
   *
   * @throws SpawnException if the worker exits first, sends something else, or is not ready in time
   *     (it is killed then)
   */
  WorkerInfo awaitReady() {
    try {
      WorkerInfo info = ready.get(config.startupTimeout().toNanos(), TimeUnit.NANOSECONDS);
      long startupNanos = System.nanoTime() - launchedAt;
      Listeners.callHere(
          config.listener(), l -> l.onWorkerReady(config.module(), info, startupNanos));
      config.notifyListener(l -> l.onWorkerStarted(config.module(), process.pid()));
      return info;
    } catch (TimeoutException e) {
      kill();
      throw new SpawnException(
          "The module "
              + config.script()
              + " was not ready within "
              + config.startupTimeout().toMillis()
              + " ms",
          null,
          stderr.tail(),
          null);
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
      throw new SpawnException("Interrupted while waiting for the worker to start", e);
    } catch (ExecutionException e) {
      throw (SpawnException) e.getCause();
    }
  }

  /** The worker's shared-memory region; null if it has none. */
  SharedRegion region() {
    return region;
  }

  long pid() {
    return process.pid();
  }

  /** What the worker reported when it became ready; only call once it is. */
  WorkerInfo info() {
    return ready.join();
  }

  /** Sends {@code call}; false if this worker is ending and did not take it. */
  boolean submit(PendingCall call) {
    Channel current = channel;
    return current != null && current.submit(call);
  }

  /**
   * Completes once the worker shows it is healthy: a {@code pysynapse} worker when its serve loop
   * answered a PING; a seed-style one, which has no loop of ours to ask, at once if its process is
   * alive. Fails if the worker is not ready or ends first.
   */
  CompletableFuture<Void> ping() {
    Channel current = channel;
    if (current instanceof EnvelopeChannel envelope) {
      return envelope.ping();
    }
    if (current != null && process.isAlive()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.failedFuture(new IllegalStateException("the worker is not running"));
  }

  /**
   * Asks the worker to exit (stdin closed), waits up to the grace period, then kills what is left.
   */
  void shutdown() {
    disposing = true;
    family = ProcessTree.descendants(process);
    outbox.close();
    ProcessTree.end(process, family, config.shutdownGrace());
    awaitReader();
  }

  /** Kills the worker at once, as part of a disposal. */
  void kill() {
    disposing = true;
    ProcessTree.kill(process, family);
  }

  /** Kills the worker so that a new one replaces it; the calls not sent yet go to the new one. */
  void replace(String reason) {
    replacement = reason;
    ProcessTree.kill(process, family);
  }

  private void awaitReader() {
    try {
      reader.join(STDERR_DRAIN_MILLIS + config.shutdownGrace().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readLoop() {
    // The process's stream is buffered already: another buffer in front of it would ask the OS how
    // much input is waiting (one more system call) after every read that returned a whole frame.
    FrameReader frames = new FrameReader(process.getInputStream(), config.maxFrameBytes());
    ProtocolException garbage = null;
    ProtocolException fault = null;
    try {
      InboundFrame first = frames.read();
      if (first != null) {
        WorkerInfo info = Messages.decodeReady(first);
        frames.splitAnswers(!info.seedProtocol());
        if (!info.seedProtocol()
            && config.sharedMemory().enabled()
            && Messages.supportsSharedMemory(first)) {
          region = SharedRegion.open(config.sharedMemory(), outbox::send, suffix());
        }
        channel =
            info.seedProtocol()
                ? new SeedChannel(outbox, config.maxFrameBytes(), this::replace)
                : new EnvelopeChannel(
                    outbox, config.maxFrameBytes(), this::replace, config.hostFunctions(), region);
        ready.complete(info);
        for (InboundFrame frame = frames.read(); frame != null; frame = frames.read()) {
          channel.onFrame(frame);
        }
      }
    } catch (OutputEndedInsideFrame e) {
      LOG.debug("Worker {} ended while it wrote a frame: {}", process.pid(), e.getMessage());
    } catch (ProtocolException e) {
      garbage = e; // the worker misbehaves: it is replaced whatever the policy
    } catch (UnreadableAnswer e) {
      fault = e.protocolException(); // it ends like a crash, and its policy decides
    } catch (IOException e) {
      LOG.debug("Reading from worker {} failed: {}", process.pid(), e.getMessage());
    } catch (RuntimeException e) {
      garbage = new ProtocolException("Handling a frame from the worker failed: " + e, e);
    } catch (Throwable e) {
      // A StackOverflowError or OutOfMemoryError while decoding an answer: this reader cannot go
      // on, so the worker ends here like a crash, and its restart policy decides what follows.
      LOG.warn(
          "Reading the output of worker {} failed; ending it: {}", process.pid(), e.toString());
      fault = new ProtocolException("Reading the worker's answer failed: " + e, e);
    }
    try {
      finish(garbage, fault);
    } catch (Throwable e) {
      // The calls of this worker are failed and its end reported at least once.
      LOG.error("Ending worker {} failed", process.pid(), e);
      endAfterFailedFinish(fault != null ? fault : garbage, e);
    }
  }

  private void finish(ProtocolException garbage, ProtocolException fault) {
    if (garbage != null || fault != null) {
      if (garbage != null && ready.isDone() && replacement == null) {
        replacement = "it wrote bytes that are not frames to its stdout: " + garbage.getMessage();
      }
      ProcessTree.kill(process, family);
    }
    if (garbage == null) {
      garbage = fault;
    }
    int exitCode = reap();
    closeRegion();
    outbox.close();
    stderr.awaitEnd(STDERR_DRAIN_MILLIS);
    String tail = stderr.tail();
    LiveProcesses.remove(process);
    boolean expected = disposing || replacement != null;
    config.notifyListener(
        l -> l.onWorkerExited(config.module(), process.pid(), exitCode, expected));
    if (!ready.isDone()) {
      ready.completeExceptionally(
          new SpawnException(
              garbage != null
                  ? "The module " + config.script() + " failed to start: " + garbage.getMessage()
                  : "The module "
                      + config.script()
                      + " exited with code "
                      + exitCode
                      + " before it was ready",
              exitCode,
              tail,
              garbage));
      return;
    }
    RuntimeException cause = endCause(garbage, exitCode, tail);
    reportEnd(cause, replacement != null);
  }

  /**
   * Tells the end listener that this worker is gone, then fails the calls in flight, then hands
   * over the unsent ones (kept only if {@code keepUnsent}).
   */
  private void reportEnd(RuntimeException cause, boolean keepUnsent) {
    String why = replacement;
    boolean report = !disposing;
    if (report) {
      endListener.sessionEnding(this, cause, why);
    }
    List<PendingCall> unsent = channel.close(cause, keepUnsent);
    if (report) {
      endListener.sessionEnded(this, cause, unsent, why);
    }
  }

  /** The worker has ended: its shared memory goes, files and all. */
  private void closeRegion() {
    SharedRegion current = region;
    if (current != null) {
      current.close();
    }
  }

  private String suffix() {
    return config.module() + "-" + process.pid();
  }

  /** The last resort when {@link #finish} itself failed (e.g. out of memory again). */
  private void endAfterFailedFinish(ProtocolException fault, Throwable second) {
    ProtocolException cause =
        new ProtocolException(
            "Ending the worker failed: " + second, fault == null ? second : fault);
    ProcessTree.kill(process, family);
    closeRegion();
    if (!ready.isDone()) {
      ready.completeExceptionally(new SpawnException(cause.getMessage(), cause));
      return;
    }
    reportEnd(cause, false);
  }

  private RuntimeException endCause(ProtocolException garbage, int exitCode, String tail) {
    if (garbage != null) {
      return garbage;
    } else if (disposing) {
      return new InstanceDisposedException(
          "The worker was shut down by dispose() before it answered",
          new WorkerExitedException("The worker was shut down", exitCode, tail));
    } else if (replacement != null) {
      return new WorkerExitedException(
          "The worker was replaced because " + replacement, exitCode, tail);
    }
    return new WorkerExitedException(
        "The worker exited with code " + exitCode + " before it answered", exitCode, tail);
  }

  /** Waits for the process to exit after its stdout closed; kills it if it lingers. */
  private int reap() {
    try {
      if (!process.waitFor(
          Math.max(config.shutdownGrace().toMillis(), 100), TimeUnit.MILLISECONDS)) {
        ProcessTree.kill(process, family);
        process.waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessTree.kill(process, family);
    }
    ProcessTree.killGroup(process.pid());
    return process.isAlive() ? -1 : process.exitValue();
  }
}
