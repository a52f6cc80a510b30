package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Values that cannot travel, in either direction: a bad input fails its own call and nothing else;
 * an answer the reader cannot take ends that worker like a crash.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class BadValueTest {
  private static List<Object> cyclicList() {
    List<Object> list = new ArrayList<>();
    list.add(list);
    return list;
  }

  private static Object nested(int depth) {
    Object value = 1;
    for (int i = 0; i < depth; i++) {
      List<Object> outer = new ArrayList<>();
      outer.add(value);
      value = outer;
    }
    return value;
  }

  @Test
  void cyclicAndTooDeepInputs_failTheirOwnCall_andTheWorkerStaysUsable() {
    try (Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build()) {
      synapse.spawn(module("echo"), "main");
      for (Object bad : List.of(cyclicList(), nested(100_000))) {
        assertThatThrownBy(() -> synapse.call(bad)).isInstanceOf(EncodingException.class);
        CompletableFuture<Object> future = synapse.callAsync(bad);
        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(EncodingException.class);
        assertThatThrownBy(() -> synapse.stream(Request.call(bad)).toList())
            .isInstanceOf(EncodingException.class);
      }
      assertThat(synapse.call("still here")).isEqualTo("still here");
    }
  }

  @Test
  void aSeedStyleWorker_refusesACyclicInput_andStaysUsable() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).build()) {
      synapse.spawn(module("seed_deep_answer"), "main");
      assertThatThrownBy(() -> synapse.call(cyclicList())).isInstanceOf(EncodingException.class);
      assertThat(synapse.call("echo")).isEqualTo("echo");
    }
  }

  @Test
  void pool_aBadInputGivesItsSlotBack() throws Exception {
    try (SynapsePool pool = Fixtures.pool(PLAIN_PYTHON).size(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("echo"), "main");
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> pool.call(cyclicList())).isInstanceOf(EncodingException.class);
        CompletableFuture<Object> future = pool.callAsync(nested(100_000));
        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(EncodingException.class);
      }
      assertThat(pool.callAsync("after").get(10, TimeUnit.SECONDS)).isEqualTo("after");
    }
  }

  @Test
  void anAnswerTheReaderCannotTake_endsTheWorker_failsItsCall_andIsNotRunningAnyMore() {
    try (Synapse synapse = Fixtures.builder(DEBIAN_PYTHON).build()) {
      synapse.spawn(module("seed_deep_answer"), "main");
      long pid = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.call("deep")).isInstanceOf(ProtocolException.class);

      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !synapse.isRunning());
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThatThrownBy(() -> synapse.call("later"))
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("not running");
    }
  }

  @Test
  void anAnswerTheReaderCannotTake_isReplacedWhenThePolicyAllows() {
    try (Synapse synapse =
        Fixtures.builder(DEBIAN_PYTHON).restartPolicy(RestartPolicy.onCrash()).build()) {
      synapse.spawn(module("seed_deep_answer"), "main");
      long pid = synapse.workerInfo().orElseThrow().pid();

      assertThatThrownBy(() -> synapse.call("deep")).isInstanceOf(ProtocolException.class);

      assertThat(synapse.call("after")).isEqualTo("after");
      assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(pid);
    }
  }

  @Test
  void pool_anAnswerTheReaderCannotTake_replacesThatWorker() throws Exception {
    try (SynapsePool pool = Fixtures.pool(DEBIAN_PYTHON).size(1).maxInFlightPerWorker(1).build()) {
      pool.spawn(module("seed_deep_answer"), "main");

      assertThatThrownBy(() -> pool.call("deep")).isInstanceOf(ProtocolException.class);

      assertThat(pool.callAsync("after").get(20, TimeUnit.SECONDS)).isEqualTo("after");
    }
  }
}
