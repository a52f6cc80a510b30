package dev.synapse;

import static dev.synapse.testing.Fixtures.DEBIAN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static dev.synapse.testing.RegionDirectory.MSGPACK;
import static dev.synapse.testing.RegionDirectory.PURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.shm.SharedRegion;
import dev.synapse.internal.worker.WorkerSupervisor;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RegionDirectory;
import java.nio.DoubleBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The explicit zero-copy path with real workers, under both codecs: arrays Java allocates in a
 * worker's shared memory and lends to calls, and arrays a handler makes with {@code
 * pysynapse.shared} and returns as views. Each test has its own region directory and ends with no
 * file left in it.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZeroCopyTest {
  private static final int MIB = 1 << 20;

  @RegisterExtension final RegionDirectory regions = new RegionDirectory();

  Synapse.Builder builder(String codec) {
    return regions.builder(codec);
  }

  static Synapse spawned(Synapse.Builder builder, String codec) {
    Synapse synapse = builder.build();
    try {
      synapse.spawn(module("zero_copy"), "main");
      assertThat(synapse.workerInfo().orElseThrow().codec()).isEqualTo(codec);
      return synapse;
    } catch (RuntimeException | AssertionError e) {
      synapse.close();
      throw e;
    }
  }

  static SharedRegion region(Synapse synapse) {
    return ((WorkerSupervisor) synapse.engine()).sharedRegion();
  }

  static void awaitReplacement(Synapse synapse, long pid) {
    Awaitility.await("a new worker replaces " + pid)
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                synapse.workerInfo().map(WorkerInfo::pid).filter(p -> p != pid).isPresent()
                    && synapse.ping(Duration.ofSeconds(5)));
  }

  static SharedArray counting(Synapse synapse, int... shape) {
    SharedArray array = synapse.sharedMemory().allocate(DType.FLOAT64, shape);
    DoubleBuffer doubles = array.buffer().asDoubleBuffer();
    for (int i = 0; i < doubles.capacity(); i++) {
      doubles.put(i, i);
    }
    return array;
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aLentArrayIsAWritableViewInTheHandler(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec);
        SharedArray array = counting(synapse, 100, 10)) {
      assertThat(array.isShared()).isTrue();
      @SuppressWarnings("unchecked")
      Map<String, Object> seen = (Map<String, Object>) synapse.invoke("inspect", array);
      assertThat(seen)
          .containsEntry("type", "numpy.ndarray")
          .containsEntry("writeable", true)
          .containsEntry("owndata", false) // not a copy: a view of the mapped block
          .containsEntry("base", "ndarray")
          .containsEntry("dtype", "<f8")
          .containsEntry("shape", List.of(100L, 10L))
          .containsEntry("sum", 999.0 * 1000 / 2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void whatTheHandlerWritesJavaSeesWithoutACopy(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec);
        SharedArray array = counting(synapse, MIB / 8);
        SharedArray bytes = synapse.sharedMemory().allocateBytes(100)) {
      NDArray before = array.array();
      assertThat(synapse.invoke("add_one", array)).isNull();
      DoubleBuffer doubles = array.buffer().asDoubleBuffer();
      for (int i = 0; i < doubles.capacity(); i += 4099) {
        assertThat(doubles.get(i)).isEqualTo(i + 1.0);
      }
      assertThat(before.buffer().getDouble(8)).isEqualTo(2.0); // the same memory, not a new array
      // inside a map and a list, with raw bytes (uint8) next to it
      assertThat(
              synapse.invoke("fill", Map.of("arrays", List.of(array.array(), bytes), "value", 7)))
          .isEqualTo(2L);
      assertThat(array.buffer().getDouble(MIB - 8)).isEqualTo(7.0);
      assertThat(bytes.buffer().get(99)).isEqualTo((byte) 7);
      assertThat(region(synapse).leasedBlocks()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aViewKeptAfterItsCallIsReadOnly(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec);
        SharedArray array = counting(synapse, 16)) {
      synapse.invoke("keep", array);
      assertThat(synapse.invoke("kept_writeable", null)).isEqualTo(List.of(false));
      assertThat((String) synapse.invoke("write_kept", null)).contains("read-only");
      assertThat(array.buffer().getDouble(0)).isEqualTo(0.0);
      synapse.invoke("add_one", array); // lent again: writable again for this call
      assertThat(array.buffer().getDouble(0)).isEqualTo(1.0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void anArrayThePythonHandlerMakesArrivesAsAView(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec)) {
      NDArray array =
          (NDArray) synapse.invoke("make", Map.of("shape", List.of(3, 4), "dtype", "<i4"));
      assertThat(array.isShared()).isTrue();
      assertThat(array.dtype()).isEqualTo(DType.INT32);
      assertThat(array.shape()).containsExactly(3, 4);
      assertThat(array.toIntArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
      assertThat(region(synapse).leasedBlocks()).isEqualTo(1);
      array.close();
      assertThat(region(synapse).leasedBlocks()).isZero();
      assertThatThrownBy(array::toIntArray)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThat(array.toString()).contains("closed");

      @SuppressWarnings("unchecked")
      Map<String, Object> many =
          (Map<String, Object>) synapse.invoke("make_many", Map.of("shape", List.of(5)));
      NDArray first = (NDArray) ((List<?>) many.get("list")).get(0);
      @SuppressWarnings("unchecked")
      NDArray second = (NDArray) ((Map<String, Object>) many.get("dict")).get("second");
      assertThat(many.get("made_shared")).isEqualTo(true);
      assertThat(first.isShared()).isTrue();
      assertThat(second.isShared()).isTrue();
      assertThat(second.toDoubleArray()).containsExactly(0, 1, 2, 3, 4);
      first.close();
      second.close();
      assertThat(region(synapse).leasedBlocks()).isZero();

      NDArray kept = (NDArray) synapse.invoke("returned_is_read_only", Map.of("shape", List.of(2)));
      assertThat(synapse.invoke("kept_writeable", null)).isEqualTo(List.of(false));
      kept.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void closingFreesTheBlocksSoTheRegionIsReused(String codec) {
    // 8 MiB in all: about one 3 MiB array each way at a time
    Synapse.Builder tight = builder(codec).sharedMemoryMaxBytes(8 * MIB);
    try (Synapse synapse = spawned(tight, codec)) {
      for (int i = 0; i < 12; i++) {
        try (SharedArray array = counting(synapse, 3 * MIB / 8)) {
          assertThat(array.isShared()).as("allocation %d", i).isTrue();
          synapse.invoke("add_one", array);
          assertThat(array.buffer().getDouble(8 * 5)).isEqualTo(6.0);
        }
        try (NDArray made =
            (NDArray) synapse.invoke("make", Map.of("shape", List.of(3 * MIB / 8)))) {
          assertThat(made.isShared()).as("answer %d", i).isTrue();
          assertThat(made.buffer().getDouble(8 * 7)).isEqualTo(7.0);
        }
      }
      assertThat(region(synapse).leasedBlocks()).isZero();
      // arrays a handler makes and drops give their blocks back to the worker
      assertThat(
              synapse.invoke("make_and_drop", Map.of("count", 10, "shape", List.of(3 * MIB / 8))))
          .isEqualTo(true);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aClosedArrayCannotBeUsed(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec)) {
      SharedArray array = counting(synapse, 4);
      NDArray view = array.array();
      array.close();
      array.close(); // idempotent
      assertThatThrownBy(array::buffer).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(array::array).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(view::toDoubleArray).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> synapse.invoke("inspect", view))
          .isInstanceOf(EncodingException.class)
          .hasRootCauseInstanceOf(IllegalStateException.class);
      assertThat(region(synapse).leasedBlocks()).isZero();
      assertThat(synapse.invoke("inspect", counting(synapse, 2).array())).isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void anArrayOutlivesItsWorkerAndIsCopiedToTheNextOne(String codec) {
    Synapse.Builder restarting = builder(codec).restartPolicy(RestartPolicy.onCrash());
    try (Synapse synapse = spawned(restarting, codec)) {
      SharedArray array = counting(synapse, MIB / 8);
      NDArray made = (NDArray) synapse.invoke("make", Map.of("shape", List.of(1000)));
      long pid = synapse.workerInfo().orElseThrow().pid();
      assertThatThrownBy(() -> synapse.invoke("exit_now", null))
          .isInstanceOf(WorkerExitedException.class);
      // the dead worker's memory stays mapped here: reading and writing are safe
      array.buffer().putDouble(0, 42.0);
      assertThat(array.buffer().getDouble(8)).isEqualTo(1.0);
      assertThat(made.toDoubleArray()[999]).isEqualTo(999.0);
      awaitReplacement(synapse, pid);
      @SuppressWarnings("unchecked")
      Map<String, Object> seen = (Map<String, Object>) synapse.invoke("inspect", array);
      assertThat(seen.get("sum")).isEqualTo(42.0 + (MIB / 8 - 1.0) * (MIB / 8) / 2);
      synapse.invoke("add_one", array);
      // A copy (the new worker has its own region): the handler's change stays there.
      assertThat(array.buffer().getDouble(0)).isEqualTo(42.0);
      array.close();
      made.close();
      assertThatThrownBy(made::toDoubleArray).isInstanceOf(IllegalStateException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aWorkerThatDiesDuringACallLeavesTheArrayUsable(String codec) {
    try (Synapse synapse = spawned(builder(codec), codec)) {
      SharedArray array = counting(synapse, MIB / 8);
      SharedRegion region = region(synapse);
      assertThatThrownBy(() -> synapse.invoke("fill_then_exit", array))
          .isInstanceOf(WorkerExitedException.class);
      // what it wrote before it died is there, and the memory is still mapped here
      assertThat(array.buffer().getDouble(MIB - 8)).isEqualTo(5.0);
      array.buffer().putDouble(0, 1.5);
      assertThat(array.array().toDoubleArray()[0]).isEqualTo(1.5);
      assertThat(region.leasedBlocks()).isEqualTo(1);
      array.close();
      assertThat(region.leasedBlocks()).isZero();
      assertThatThrownBy(array::buffer).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void withoutSharedMemoryEverythingIsCopied() {
    try (Synapse synapse = spawned(builder(MSGPACK).sharedMemory(false), MSGPACK);
        SharedArray array = counting(synapse, 8)) {
      assertThat(synapse.sharedMemory().isAvailable()).isFalse();
      assertThat(array.isShared()).isFalse();
      @SuppressWarnings("unchecked")
      Map<String, Object> seen = (Map<String, Object>) synapse.invoke("inspect", array);
      assertThat(seen).containsEntry("owndata", true).containsEntry("sum", 28.0);
      try (NDArray made = (NDArray) synapse.invoke("make", Map.of("shape", List.of(3)))) {
        assertThat(made.isShared()).isFalse();
        assertThat(made.toDoubleArray()).containsExactly(0, 1, 2);
      }
      array.close();
      assertThatThrownBy(array::buffer).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aPoolCopiesArraysOfAnInstance() {
    try (Synapse synapse = spawned(builder(MSGPACK), MSGPACK);
        SynapsePool pool =
            Fixtures.pool(DEBIAN_PYTHON).sharedMemoryDirectory(regions.path()).size(2).build();
        SharedArray array = counting(synapse, 4)) {
      pool.spawn(module("zero_copy"), "main");
      pool.invoke("add_one", array);
      assertThat(array.buffer().getDouble(0)).isEqualTo(0.0); // the pool worker had a copy
      try (NDArray made = (NDArray) pool.invoke("make", Map.of("shape", List.of(3)))) {
        assertThat(made.isShared()).isTrue(); // a pool worker's answer is a view of its region
        assertThat(made.toDoubleArray()).containsExactly(0, 1, 2);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[1, 0, 67108856, 16, [\"<f8\", [2]]]", // beyond the worker's segment
        "[1, 0, 0, 8, [\"<f8\", [2]]]", // dtype and shape need 16 bytes
        "[1, 0, 0, 8, [\"<c16\", [1]]]", // not a dtype of the format
        "[null, 0, 0, 8, [\"<f8\", [1]]]", // views are ndarrays only
        "[1, 0, 0, 8, \"header\"]",
        "[1, 0, 0, 8, [\"<f8\", [1]], 5]"
      })
  void aBadViewFromTheWorkerIsAProtocolErrorAndTheWorkerIsReplaced(String reference)
      throws Exception {
    Object spec =
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(reference, Object.class);
    try (Synapse synapse =
        spawned(builder(MSGPACK).restartPolicy(RestartPolicy.onCrash()), MSGPACK)) {
      long pid = synapse.workerInfo().orElseThrow().pid();
      assertThatThrownBy(() -> synapse.invoke("bad_view", spec))
          .isInstanceOf(ProtocolException.class);
      awaitReplacement(synapse, pid);
    }
  }

  @Test
  void allocationBeforeSpawnIsRefused() {
    try (Synapse synapse = builder(MSGPACK).build()) {
      assertThatThrownBy(() -> synapse.sharedMemory().allocate(DType.FLOAT64, 3))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void badShapesAreRefused() {
    try (Synapse synapse = spawned(builder(MSGPACK), MSGPACK)) {
      assertThatThrownBy(() -> synapse.sharedMemory().allocate(DType.FLOAT64, 3, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("negative");
      assertThatThrownBy(() -> synapse.sharedMemory().allocate(DType.FLOAT64, 1 << 16, 1 << 16))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
