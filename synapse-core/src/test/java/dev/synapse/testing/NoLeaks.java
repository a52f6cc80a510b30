package dev.synapse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a worker process or one of a worker's threads behind. Every test class
 * that starts workers uses it, so a leak is caught by the test that caused it.
 */
public final class NoLeaks implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) {
    Awaitility.await("no worker process or thread left by " + context.getDisplayName())
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              assertThat(pythonDescendants()).isEmpty();
              assertThat(workerThreads()).isEmpty();
            });
  }

  /** The Python processes below this JVM. */
  public static List<String> pythonDescendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains("python")).orElse(false))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .collect(Collectors.toList());
  }

  /** The threads that belong to a worker (readers, writers, stderr pumps). */
  public static List<String> workerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(
            n ->
                n.startsWith("synapse-reader-")
                    || n.startsWith("synapse-writer-")
                    || n.startsWith("synapse-stderr-"))
        .collect(Collectors.toList());
  }
}
