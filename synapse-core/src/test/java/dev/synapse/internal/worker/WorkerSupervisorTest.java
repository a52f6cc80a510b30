package dev.synapse.internal.worker;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.EncodingException;
import dev.synapse.InstanceDisposedException;
import dev.synapse.ProtocolException;
import dev.synapse.RestartPolicy;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.WorkerConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** One supervisor and its real worker: what a bad value on either side does to it. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class WorkerSupervisorTest {
  @Test
  void submit_neverThrowsForABadInput_theCallFails_andTheWorkerAnswersTheNext() throws Exception {
    WorkerSupervisor supervisor =
        WorkerSupervisor.start(WorkerConfigs.of(PLAIN_PYTHON, "echo", RestartPolicy.never()));
    try {
      List<Object> cyclic = new ArrayList<>();
      cyclic.add(cyclic);

      PendingCall bad = supervisor.submit(null, cyclic, null, null, true);

      assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("contains itself");
      assertThat(supervisor.submit(null, "next", null, null, false).get(5, TimeUnit.SECONDS))
          .isEqualTo("next");
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aCallThatReachesADisposedSupervisor_failsSayingSo_soThatAPoolCanSendItElsewhere()
      throws Exception {
    WorkerSupervisor supervisor =
        WorkerSupervisor.start(WorkerConfigs.of(PLAIN_PYTHON, "echo", RestartPolicy.never()));
    supervisor.dispose();

    PendingCall late = supervisor.submit(null, "late", null, null, false);

    assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(InstanceDisposedException.class)
        .hasMessageContaining("disposed before the call was sent");
  }

  @Test
  void aReaderThatCannotDecodeAnAnswer_endsTheWorker_andTheSupervisorGoesDown() throws Exception {
    WorkerSupervisor supervisor =
        WorkerSupervisor.start(
            WorkerConfigs.of(DEBIAN_PYTHON, "seed_deep_answer", RestartPolicy.never()));
    try {
      PendingCall deep = supervisor.submit(null, "deep", null, null, false);

      assertThatThrownBy(() -> deep.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ProtocolException.class);
      assertThat(supervisor.whenDown().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ProtocolException.class);
      assertThat(supervisor.isRunning()).isFalse();
    } finally {
      supervisor.dispose();
    }
  }

  @Test
  void aCallAloneOnItsWorker_mayHaveItsCallerSpin_aCallSentBehindAnother_mayNot() throws Exception {
    WorkerSupervisor supervisor =
        WorkerSupervisor.start(WorkerConfigs.of(PLAIN_PYTHON, "toolbox", RestartPolicy.never()));
    try {
      PendingCall alone = supervisor.submit("sleep", 0.3, null, null, false);
      PendingCall behind = supervisor.submit("echo", "behind", null, null, false);

      assertThat(alone.answerSpin()).isNotNull();
      assertThat(behind.answerSpin()).isNull();
      assertThat(behind.get(10, TimeUnit.SECONDS)).isEqualTo("behind");
      assertThat(alone).isDone();
      PendingCall next = supervisor.submit("echo", "next", null, null, false);
      assertThat(next.answerSpin()).isSameAs(alone.answerSpin());
      assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("next");
    } finally {
      supervisor.dispose();
    }
  }
}
