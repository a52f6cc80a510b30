package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * Excludes every other preparer of one venv directory, in this JVM and in others, while it holds
 * the lock: an OS file lock on {@value VenvDirectory#LOCK_FILE} inside the venv, taken under a lock
 * of this JVM.
 *
 * <p>Trap: a file lock belongs to the whole JVM, so a second thread asking for it does not wait but
 * gets {@link java.nio.channels.OverlappingFileLockException}; hence the in-JVM lock first. It is
 * keyed by the directory's real path, because the JVM checks overlap by file identity: two
 * spellings of one directory (a symlink) must share one in-JVM lock. There is one small lock object
 * per directory ever prepared, kept for the life of the JVM.
 *
 * <p>Waiting has no time limit (the holder is bounded by its own install timeout) but can be
 * interrupted.
 */
final class VenvLock implements AutoCloseable {
  private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private VenvLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Creates {@code venvDir} if needed and locks it, waiting as long as another thread or process
   * holds it.
   *
   * @throws SpawnException if the directory or lock file cannot be made, or the thread is
   *     interrupted while waiting (the interrupt flag stays set)
   */
  static VenvLock acquire(Path venvDir, Logger log) {
    Path key;
    try {
      key = Files.createDirectories(venvDir).toRealPath();
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot create the virtual environment directory " + venvDir + ": " + IoErrors.reason(e),
          e);
    }
    ReentrantLock threadLock = IN_JVM.computeIfAbsent(key, k -> new ReentrantLock());
    if (!threadLock.tryLock()) {
      log.info("Waiting for another thread of this JVM that is preparing {}", venvDir);
      try {
        threadLock.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SpawnException("Interrupted while waiting for the lock on " + venvDir, e);
      }
    }
    Path lockFile = key.resolve(VenvDirectory.LOCK_FILE);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock = channel.tryLock();
      if (fileLock == null) {
        log.info("Waiting for another process that is preparing {}", venvDir);
        fileLock = channel.lock();
      }
      return new VenvLock(threadLock, channel, fileLock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      threadLock.unlock();
      if (e instanceof FileLockInterruptionException || Thread.currentThread().isInterrupted()) {
        Thread.currentThread().interrupt();
        throw new SpawnException("Interrupted while waiting for the lock on " + lockFile, e);
      }
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw new SpawnException(
          "Cannot lock " + lockFile + ": " + IoErrors.reason((IOException) e), e);
    }
  }

  /** Releases the file lock, then the in-JVM lock. Call once, on the thread that acquired it. */
  @Override
  public void close() {
    try {
      fileLock.release();
    } catch (IOException e) {
      // Closing the channel releases the lock as well.
    } finally {
      closeQuietly(channel);
      threadLock.unlock();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was written through it; the lock goes with the channel.
    }
  }
}
