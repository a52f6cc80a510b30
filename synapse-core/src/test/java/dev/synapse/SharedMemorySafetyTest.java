package dev.synapse;

import static dev.synapse.SharedMemoryTest.pattern;
import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static dev.synapse.testing.RegionDirectory.MSGPACK;
import static dev.synapse.testing.RegionDirectory.PURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.testing.ChildJvm;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.HoldSharedMemory;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RegionDirectory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared memory when things go wrong: many threads, timeouts and cancels, dead workers, a full
 * region, a worker that sends bad references, a JVM killed outright. Each test has its own region
 * directory under {@code /dev/shm} and ends with no file left in it.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedMemorySafetyTest {
  private static final int[] MIXED_SIZES = {100, 70 << 10, (1 << 20) + 17, 3 << 20};

  @RegisterExtension final RegionDirectory regions = new RegionDirectory();

  /** A region that holds about two values of 1.5 MiB each way; a frame of at most 1 MiB. */
  Synapse.Builder tight(String codec) {
    return regions
        .builder(codec)
        .maxFrameBytes(1 << 20)
        .sharedMemoryThreshold(64 << 10)
        .sharedMemoryMaxBytes(8 << 20);
  }

  static Synapse spawned(Synapse.Builder builder) {
    Synapse synapse = builder.build();
    try {
      synapse.spawn(module("shared_memory"), "main");
      return synapse;
    } catch (RuntimeException e) {
      synapse.close();
      throw e;
    }
  }

  /** 16 threads from one latch, each sending inputs of mixed sizes unique to it and checking. */
  static void sixteenThreadsOfMixedSizes(SynapseCalls calls) throws Exception {
    int threads = 16;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(
            executor.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 12; i++) {
                    int size = MIXED_SIZES[(thread + i) % MIXED_SIZES.length];
                    int seed = thread * 13 + i;
                    byte[] sent = pattern(size, seed);
                    assertThat((byte[]) calls.invoke("echo", sent))
                        .as("thread %d call %d", thread, i)
                        .isEqualTo(sent);
                    assertThat((byte[]) calls.invoke("make_bytes", Map.of("n", size, "seed", seed)))
                        .isEqualTo(sent);
                    // An ndarray the worker views in the host's block until its answer is sent.
                    NDArray array = NDArray.of(sent);
                    assertThat(SharedMemoryTest.bytesOf((NDArray) calls.invoke("echo", array)))
                        .as("thread %d array %d", thread, i)
                        .isEqualTo(sent);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> result : results) {
        result.get(150, TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void sixteenThreadsOnOneWorker_eachGetsItsOwnAnswer(String codec) throws Exception {
    try (Synapse synapse = spawned(regions.builder(codec))) {
      sixteenThreadsOfMixedSizes(synapse);
    }
  }

  @Test
  void sixteenThreadsOnAPool_eachGetsItsOwnAnswer() throws Exception {
    try (SynapsePool pool =
        Fixtures.pool(DEBIAN_PYTHON).size(3).sharedMemoryDirectory(regions.path()).build()) {
      pool.spawn(module("shared_memory"), "main");
      sixteenThreadsOfMixedSizes(pool);
    }
  }

  @Test
  void recycledPoolWorkers_leaveNoRegionFile() throws Exception {
    try (SynapsePool pool =
        Fixtures.pool(DEBIAN_PYTHON)
            .size(2)
            .recycleAfterCalls(3)
            .sharedMemoryDirectory(regions.path())
            .build()) {
      pool.spawn(module("shared_memory"), "main");
      for (int i = 0; i < 12; i++) {
        byte[] sent = pattern(2 << 20, i);
        assertThat((byte[]) pool.invokeAsync("echo", sent).get(30, TimeUnit.SECONDS))
            .isEqualTo(sent);
      }
      regions.awaitEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void timedOutAndCancelledCalls_freeTheirBlocks(String codec) throws Exception {
    try (Synapse synapse = spawned(tight(codec))) {
      byte[] sent = pattern(3 << 19, 1);
      for (int i = 0; i < 6; i++) {
        Request slow =
            Request.invoke("slow_echo", Map.of("seconds", 5.0, "value", sent))
                .withTimeout(Duration.ofMillis(100));
        assertThatThrownBy(() -> synapse.execute(slow)).isInstanceOf(CallTimeoutException.class);
        CompletableFuture<Object> cancelled =
            synapse.executeAsync(
                Request.invoke("slow_echo", Map.of("seconds", 5.0, "value", sent)));
        cancelled.cancel(true);
        assertThatThrownBy(cancelled::get).isInstanceOf(CancellationException.class);
        // Only the region can carry this (a frame holds 1 MiB), and it holds two such values: the
        // blocks of the calls given up on must be free again once the worker has answered CANCEL.
        Awaitility.await("room in the region again")
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptionsInstanceOf(FrameTooLargeException.class)
            .untilAsserted(() -> assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent));
      }
    }
  }

  @Test
  void aFullRegion_fallsBackToThePipe() {
    Synapse.Builder small =
        regions.builder(MSGPACK).sharedMemoryThreshold(64 << 10).sharedMemoryMaxBytes(4 << 20);
    try (Synapse synapse = spawned(small)) {
      byte[] sent = pattern(3 << 20, 4);
      assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent);
      assertThat((byte[]) synapse.invoke("make_bytes", Map.of("n", 3 << 20, "seed", 4)))
          .isEqualTo(sent);
      byte[] fits = pattern(1 << 20, 2);
      assertThat((byte[]) synapse.invoke("echo", fits)).isEqualTo(fits);
    }
  }

  @Test
  void aSeedStyleWorker_getsNoRegion_andNoFrameOfOne() throws Exception {
    try (Synapse synapse = regions.builder(MSGPACK).build()) {
      synapse.spawn(module("seed"), "main");
      for (int i = 0; i < 3; i++) { // a MAP frame sent to it would be read as its input
        assertThat(synapse.call(i))
            .isEqualTo(Map.of("data", "Processing result from py of payload: " + i));
      }
      assertThat(regions.files()).isEmpty();
    }
  }

  @Test
  void aRegionDirectoryThatIsNotThere_fallsBackToThePipe() {
    Synapse.Builder missing =
        Fixtures.builder(DEBIAN_PYTHON).sharedMemoryDirectory(regions.path().resolve("missing"));
    try (Synapse synapse = spawned(missing)) {
      byte[] sent = pattern(2 << 20, 4);
      assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aWorkerKilledMidTransfer_doesNotCorruptLaterCalls(String codec) throws Exception {
    try (Synapse synapse = spawned(tight(codec).restartPolicy(RestartPolicy.onCrash()))) {
      assertThatThrownBy(() -> synapse.invoke("write_then_die", 3 << 19))
          .isInstanceOf(WorkerExitedException.class);
      byte[] sent = pattern(3 << 19, 7);
      awaitAnswer(synapse, sent);
      long pid = synapse.workerInfo().orElseThrow().pid();
      CompletableFuture<Object> inFlight =
          synapse.invokeAsync("slow_echo", Map.of("seconds", 0.5, "value", sent));
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      assertThatThrownBy(() -> inFlight.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(WorkerExitedException.class);
      awaitAnswer(synapse, sent);
      assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(pid);
    }
  }

  /** Calls echo until the restarted worker answers it, bit-exact. */
  private static void awaitAnswer(Synapse synapse, byte[] sent) {
    Awaitility.await("the restarted worker's answer")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsInstanceOf(SynapseException.class)
        .untilAsserted(() -> assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent));
  }

  @Test
  void aCrashedWorker_leavesNoRegionFile() {
    try (Synapse synapse = spawned(regions.builder(MSGPACK))) {
      synapse.invoke("echo", pattern(2 << 20, 1));
      assertThatThrownBy(() -> synapse.invoke("exit_now", null))
          .isInstanceOf(WorkerExitedException.class);
      regions.awaitEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[null, 0, 1099511627776, 10]",
        "[null, 0, 0, 1099511627776]",
        "[null, 0, 67108860, 8]",
        "[null, 99, 0, 8]",
        "[null, -1, 0, 8]",
        "[1, 0, 0, 8]",
        "[3, 0, 0, 8]",
        "[\"x\", 0, 0, 8]",
        "[null, 0, 0]",
        "\"not a reference\""
      })
  void aReferenceOutsideTheRegion_isAProtocolError_andTheWorkerIsReplaced(String reference)
      throws Exception {
    Object spec =
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(reference, Object.class);
    try (Synapse synapse =
        spawned(regions.builder(MSGPACK).restartPolicy(RestartPolicy.onCrash()))) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      assertThatThrownBy(() -> synapse.invoke("bad_reference", spec))
          .isInstanceOf(ProtocolException.class);
      byte[] sent = pattern(2 << 20, 3);
      awaitAnswer(synapse, sent);
      assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(pid);
    }
  }

  @Test
  void aFrameTheWorkerDecodesTwice_keepsItsBlockOnce() {
    // The second array finds no room and goes in the frame, which makes the msgpack codec hand
    // the frame to the pure one: the first array is viewed twice.
    try (Synapse synapse =
        spawned(regions.builder(MSGPACK).sharedMemoryMaxBytes(8 << 20).maxFrameBytes(16 << 20))) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      NDArray first = NDArray.of(pattern(3 << 20, 1));
      NDArray second = NDArray.of(pattern(3 << 20, 2));

      List<?> back = (List<?>) synapse.invoke("echo", List.of(first, second));

      assertThat(SharedMemoryTest.bytesOf((NDArray) back.get(0))).isEqualTo(pattern(3 << 20, 1));
      assertThat(SharedMemoryTest.bytesOf((NDArray) back.get(1))).isEqualTo(pattern(3 << 20, 2));
      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(pid);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "14, [0, 64]", // KEPT of a block no ndarray of a running call holds
        "15, [0, 64]", // DROPPED of a block never kept
        "14, [0]", // half a pair
        "15, []",
        "14, [0, -64]",
        "15, [\"x\", 0]"
      })
  void aWorkerThatKeepsOrDropsBlocksItWasNotGiven_isReplaced(String message) throws Exception {
    Object blocks =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readValue(message.substring(message.indexOf('[')), Object.class);
    int type = Integer.parseInt(message.substring(0, message.indexOf(',')));
    try (Synapse synapse =
        spawned(regions.builder(MSGPACK).restartPolicy(RestartPolicy.onCrash()))) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      byte[] sent = pattern(2 << 20, 3);
      awaitAnswer(synapse, sent); // the host has a segment, and its first block is free again
      assertThatThrownBy(
              () -> synapse.invoke("block_message", Map.of("type", type, "blocks", blocks)))
          .isInstanceOf(ProtocolException.class);
      awaitAnswer(synapse, sent);
      assertThat(synapse.workerInfo().orElseThrow().pid()).isNotEqualTo(pid);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0",
        "-5",
        "1099511627776", // larger than every segment
        "16777216, 16777216", // announced twice
        "16777216 small" // followed by an answer in the frame
      })
  void wrongAnnouncements_changeNoAnswer_andTheWorkerStays(String announcements) {
    boolean small = announcements.endsWith(" small");
    List<Long> announced =
        Arrays.stream(announcements.replace(" small", "").split(", ")).map(Long::valueOf).toList();
    int size = small ? 100 : 2 << 20;
    try (Synapse synapse = spawned(regions.builder(MSGPACK))) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      Object answer =
          synapse.invoke("announce", Map.of("n", size, "seed", 4, "announced", announced));

      assertThat((byte[]) answer).isEqualTo(pattern(size, 4));
      byte[] sent = pattern(3 << 20, 5);
      assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent);
      assertThat(synapse.workerInfo().orElseThrow().pid()).isEqualTo(pid);
    }
  }

  @Test
  void aJvmKilledOutright_leavesNoRegionFile() throws Exception {
    Process jvm =
        ChildJvm.start(HoldSharedMemory.class, List.of(), DEBIAN_PYTHON, regions.path().toString());
    try {
      long workerPid;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
        workerPid = Long.parseLong(out.readLine().trim());
      }
      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Awaitility.await("the worker ends with its JVM")
          .atMost(Duration.ofSeconds(5))
          .until(() -> ProcessHandle.of(workerPid).map(p -> !p.isAlive()).orElse(true));
      regions.awaitEmpty();
    } finally {
      jvm.destroyForcibly();
    }
  }

  @Test
  void userExtensionValuesOfCode3_areRefused() {
    try (Synapse synapse = spawned(regions.builder(MSGPACK))) {
      assertThatThrownBy(
              () ->
                  synapse.invoke(
                      "echo", new ExtensionValue((byte) 3, Arrays.copyOf(new byte[0], 4))))
          .isInstanceOf(EncodingException.class)
          .hasMessageContaining("reserved for shared-memory references");
    }
  }
}
