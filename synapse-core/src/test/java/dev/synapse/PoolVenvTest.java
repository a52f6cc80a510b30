package dev.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A pool's spawn prepares the module's venv once, whatever the number of workers. */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class PoolVenvTest {
  @TempDir Path root;

  @Test
  void theEnvironmentIsPreparedOnce_andEveryWorkerRunsInIt() throws IOException {
    Path dir = Files.createDirectories(root.resolve("module"));
    Files.writeString(dir.resolve("requirements.txt"), "# nothing to install\n");
    Files.writeString(
        dir.resolve("main.py"),
        "import os, sys, pysynapse\npysynapse.serve(lambda p: [os.getpid(), sys.prefix])\n");
    List<String> phases = new CopyOnWriteArrayList<>();
    SynapseListener listener =
        new SynapseListener() {
          @Override
          public void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {
            phases.add(phase.name());
          }
        };

    try (SynapsePool pool =
        SynapsePool.builder().python(Fixtures.PLAIN_PYTHON).listener(listener).size(3).build()) {
      pool.spawn(dir, "main");

      assertThat(phases).containsExactly("CREATING_VENV", "STARTING", "READY");
      Set<Object> pids = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        List<?> answer = (List<?>) pool.call(null);
        pids.add(answer.get(0));
        assertThat(Path.of((String) answer.get(1)).toRealPath())
            .isEqualTo(dir.resolve(".venv").toRealPath());
      }
      assertThat(pool.workers()).hasSize(3);
    }
  }
}
