package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.ChildJvm;
import dev.synapse.testing.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An answer larger than the whole heap: the reader thread runs out of memory. That worker ends like
 * a crash, its call fails with a {@link ProtocolException} whose cause is the {@link
 * OutOfMemoryError}, the restart policy decides what follows, and the instance stays usable. Run in
 * a JVM of its own with a small heap, so that this JVM's heap is not the one that runs out.
 */
@Timeout(120)
class OutOfMemoryAnswerTest {
  /** Larger than the child's whole heap, smaller than the default frame limit. */
  private static final int ANSWER_BYTES = 96 * 1024 * 1024;

  @Test
  void anAnswerLargerThanTheHeap_failsItsCall_replacesTheWorker_andTheNextCallSucceeds()
      throws Exception {
    Process child =
        ChildJvm.start(Child.class, List.of("-Xmx32m"), PLAIN_PYTHON, module("toolbox").toString());
    try {
      String verdict;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        verdict = out.lines().filter(line -> line.startsWith("verdict ")).findFirst().orElse("");
      }
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(verdict).isEqualTo("verdict ok");
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
  }

  /** The child JVM: prints {@code verdict ok}, or {@code verdict} and what went wrong. */
  static final class Child {
    public static void main(String[] args) {
      String verdict;
      try (Synapse replacing =
              Fixtures.builder(args[0]).restartPolicy(RestartPolicy.onCrash()).build();
          Synapse notReplacing = Fixtures.builder(args[0]).build()) {
        replacing.spawn(args[1], "main");
        verdict = replaced(replacing);
        if (verdict.equals("ok")) {
          notReplacing.spawn(args[1], "main");
          verdict = notReplaced(notReplacing, args[1]);
        }
      } catch (Throwable e) {
        verdict = "unexpected " + e;
      }
      System.out.println("verdict " + verdict);
      System.out.flush();
      System.exit(0);
    }

    /** With {@link RestartPolicy#onCrash()}: a new worker takes the next call. */
    private static String replaced(Synapse synapse) {
      long first = synapse.workerInfo().orElseThrow().pid();
      String failure = largeAnswerFails(synapse);
      if (failure != null) {
        return failure;
      }
      Object echoed = synapse.invoke("echo", "small");
      if (!"small".equals(echoed)) {
        return "the next call answered " + echoed;
      }
      if (!synapse.isRunning()) {
        return "not running after the next call";
      }
      long second = synapse.workerInfo().orElseThrow().pid();
      if (second == first) {
        return "the worker was not replaced";
      }
      if (ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)) {
        return "the first worker is still alive";
      }
      return "ok";
    }

    /**
     * With the default policy ({@link RestartPolicy#never()}): the instance says it is not running,
     * a call says why, and a new spawn starts afresh.
     */
    private static String notReplaced(Synapse synapse, String module) {
      String failure = largeAnswerFails(synapse);
      if (failure != null) {
        return failure;
      }
      Awaitility.await("not running")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !synapse.isRunning());
      try {
        synapse.invoke("echo", "refused");
        return "a call was answered without a worker";
      } catch (SynapseException e) {
        if (!e.getMessage().contains("not running")) {
          return "the refusal does not say the worker is not running: " + e.getMessage();
        }
      }
      synapse.spawn(module, "main");
      Object echoed = synapse.invoke("echo", "again");
      return "again".equals(echoed) ? "ok" : "after a new spawn the call answered " + echoed;
    }

    /** Null if asking for the large answer fails as it should, else what happened instead. */
    private static String largeAnswerFails(Synapse synapse) {
      try {
        Object answer = synapse.invoke("bytes_of", ANSWER_BYTES);
        return "the large answer arrived: " + (answer == null ? null : answer.getClass());
      } catch (ProtocolException e) {
        return causedByOutOfMemory(e) ? null : "no OutOfMemoryError in the causes of " + e;
      } catch (RuntimeException e) {
        return "not a ProtocolException: " + e;
      }
    }

    private static boolean causedByOutOfMemory(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof OutOfMemoryError) {
          return true;
        }
      }
      return false;
    }
  }
}
