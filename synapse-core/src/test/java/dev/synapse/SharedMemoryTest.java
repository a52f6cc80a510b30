package dev.synapse;

import static dev.synapse.testing.Fixtures.module;
import static dev.synapse.testing.RegionDirectory.MSGPACK;
import static dev.synapse.testing.RegionDirectory.PURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.shm.SharedMemoryConfig;
import dev.synapse.testing.Allocations;
import dev.synapse.testing.NoLeaks;
import dev.synapse.testing.RegionDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large values through a worker's shared memory, with the {@code shared_memory} fixture on Debian's
 * python3 with msgpack's codec, and with the pure codec (msgpack hidden by the {@code
 * without_msgpack} fixture). Each test has its own region directory under {@code /dev/shm}, so that
 * it can see every file a region leaves there.
 */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class SharedMemoryTest {
  static final int THRESHOLD = SharedMemoryConfig.DEFAULT_THRESHOLD;

  @RegisterExtension final RegionDirectory regions = new RegionDirectory();

  static Synapse spawned(Synapse.Builder builder, String codec) {
    Synapse synapse = builder.build();
    try {
      synapse.spawn(module("shared_memory"), "main");
      assertThat(synapse.workerInfo().orElseThrow().codec()).isEqualTo(codec);
      return synapse;
    } catch (RuntimeException | AssertionError e) {
      synapse.close();
      throw e;
    }
  }

  /** {@code n} bytes, byte i being {@code (i * 7 + seed) % 251}, as the fixture makes them. */
  static byte[] pattern(int n, int seed) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) ((i * 7L + seed) % 251);
    }
    return bytes;
  }

  /** Waits until the worker has given back every host block (its DROPPED comes on its own). */
  static void awaitNoHostBlockInUse(Synapse synapse) {
    Awaitility.await("every host block free")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ZeroCopyTest.region(synapse).blocksInUse() == 0);
  }

  static byte[] bytesOf(NDArray array) {
    ByteBuffer buffer = array.buffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void bytesAroundTheThreshold_roundTripBitExactly_asBytes(String codec) {
    try (Synapse synapse = spawned(regions.builder(codec), codec)) {
      for (int size : new int[] {THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, 1 << 20, 64 << 20}) {
        byte[] sent = pattern(size, size % 13);
        assertThat(synapse.invoke("kind", sent))
            .as("size %d", size)
            .isEqualTo(List.of("builtins.bytes", (long) size));
        assertThat((byte[]) synapse.invoke("echo", sent)).as("size %d", size).isEqualTo(sent);
        assertThat((byte[]) synapse.invoke("make_bytes", Map.of("n", size, "seed", 5)))
            .as("size %d", size)
            .isEqualTo(pattern(size, 5));
        assertThat(regions.files()).isEmpty();
      }
      ByteBuffer buffer = ByteBuffer.wrap(pattern(THRESHOLD * 2, 9), 3, THRESHOLD + 5);
      assertThat((byte[]) synapse.invoke("echo", buffer))
          .isEqualTo(Arrays.copyOfRange(buffer.array(), 3, THRESHOLD + 8));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAnnouncedAnswer_isCopiedIntoTheArrayMadeForIt() {
    int size = 16 << 20;
    try (Synapse synapse = spawned(regions.builder(MSGPACK), MSGPACK)) {
      long reader = readerThread(synapse);
      synapse.invoke("make_bytes", Map.of("n", size)); // the first answer of this size
      long announced = allocatedBy(reader, () -> announcing(synapse, size, List.of()));
      // A wrong announcement first: its array is made and kept, so the answer needs another.
      long wrongFirst = allocatedBy(reader, () -> announcing(synapse, size, List.of(size + 64)));
      // Announced twice: the second announcement makes nothing.
      long twice = allocatedBy(reader, () -> announcing(synapse, size, List.of(size)));

      assertThat(announced).isBetween((long) size, size + size / 4L);
      assertThat(wrongFirst).isBetween(2L * size, 2L * size + size / 4L);
      assertThat(twice).isBetween((long) size, size + size / 4L);
    }
  }

  private static void announcing(Synapse synapse, int size, List<Integer> announced) {
    Object answer =
        synapse.invoke("announce", Map.of("n", size, "seed", 1, "announced", announced));
    assertThat((byte[]) answer).isEqualTo(pattern(size, 1));
  }

  /** The id of the thread that reads {@code synapse}'s worker's frames. */
  static long readerThread(Synapse synapse) {
    String suffix = "-" + synapse.workerInfo().orElseThrow().pid();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("synapse-reader-") && t.getName().endsWith(suffix))
        .findFirst()
        .orElseThrow()
        .getId();
  }

  /** The bytes thread {@code threadId} allocated while {@code action} ran. */
  static long allocatedBy(long threadId, Runnable action) {
    long before = Allocations.ofThread(threadId);
    action.run();
    return Allocations.ofThread(threadId) - before;
  }

  @Test
  void bytes256MiB_roundTripBitExactly() {
    try (Synapse synapse = spawned(regions.builder(MSGPACK).maxFrameBytes(1 << 20), MSGPACK)) {
      byte[] sent = pattern(256 << 20, 3);
      assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void valuesLargerThanAFrame_travelOnlyThroughTheRegion_alsoInsideContainers(String codec) {
    Synapse.Builder small =
        regions.builder(codec).maxFrameBytes(1 << 20).sharedMemoryThreshold(64 << 10);
    try (Synapse synapse = spawned(small, codec)) {
      byte[] sent = pattern(8 << 20, 1);
      assertThat((byte[]) synapse.invoke("echo", sent)).isEqualTo(sent);
      NDArray array = NDArray.of(new double[1 << 20], 1024, 1024);
      NDArray doubled = (NDArray) synapse.invoke("double", array);
      assertThat(doubled.shape()).containsExactly(1024, 1024);
      ExtensionValue ext = new ExtensionValue((byte) 42, pattern(2 << 20, 2));
      assertThat(synapse.invoke("echo", ext)).isEqualTo(ext);
      Object answer = synapse.invoke("echo", List.of(1, Map.of("data", sent), List.of(ext)));
      assertThat(answer).isInstanceOf(List.class);
      List<?> items = (List<?>) answer;
      assertThat((byte[]) ((Map<?, ?>) items.get(1)).get("data")).isEqualTo(sent);
      assertThat(items.get(2)).isEqualTo(List.of(ext));
    }
    try (Synapse synapse = spawned(small.sharedMemory(false), codec)) {
      assertThatThrownBy(() -> synapse.invoke("echo", new byte[2 << 20]))
          .isInstanceOf(FrameTooLargeException.class);
    }
  }

  static Stream<Arguments> codecsAndDtypes() {
    return Stream.of(MSGPACK, PURE)
        .flatMap(codec -> Arrays.stream(DType.values()).map(dtype -> Arguments.of(codec, dtype)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("codecsAndDtypes")
  void everyDtypeAroundTheThreshold_roundTripsBitExactly(String codec, DType dtype) {
    try (Synapse synapse = spawned(regions.builder(codec), codec)) {
      int item = dtype.itemSize();
      for (int elements :
          new int[] {THRESHOLD / item - 1, THRESHOLD / item, THRESHOLD / item + 1, (1 << 20) + 3}) {
        byte[] bytes = pattern(elements * item, elements);
        if (dtype == DType.BOOL) {
          for (int i = 0; i < bytes.length; i++) {
            bytes[i] &= 1;
          }
        }
        NDArray sent = NDArray.wrap(dtype, bytes, elements);
        NDArray back = (NDArray) synapse.invoke("echo", sent);
        assertThat(back.dtype()).isEqualTo(dtype);
        assertThat(back.shape()).containsExactly(elements);
        assertThat(bytesOf(back)).as("%s of %d", dtype, elements).isEqualTo(bytes);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void anNDArrayInput_isViewedWhereItLies_andItsBlockWaitsForTheHandlerToLetGo(String codec) {
    try (Synapse synapse = spawned(regions.builder(codec), codec)) {
      NDArray sent = NDArray.of(new double[THRESHOLD], THRESHOLD / 2, 2);

      Object seen = synapse.invoke("keep", sent);

      assertThat(seen).isEqualTo(Map.of("owndata", false, "writeable", true, "aligned", true));
      assertThat(ZeroCopyTest.region(synapse).blocksInUse()).isEqualTo(1); // the call has ended
      synapse.invoke("let_go", null);
      awaitNoHostBlockInUse(synapse);

      double[] values = new double[(1 << 20) + 5];
      Arrays.setAll(values, i -> i * 0.5 - 3);
      NDArray doubled = (NDArray) synapse.invoke("double_in_place", NDArray.of(values));
      double[] back = doubled.toDoubleArray();
      for (int i = 0; i < values.length; i++) {
        assertThat(back[i]).isEqualTo(values[i] * 2);
      }
      awaitNoHostBlockInUse(synapse);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void aBlockTheHandlerKeeps_isNotReusedByLaterCalls(String codec) {
    try (Synapse synapse = spawned(regions.builder(codec), codec)) {
      byte[] first = pattern(2 << 20, 1);
      synapse.invoke("keep", NDArray.of(first));
      for (int seed = 2; seed < 8; seed++) {
        byte[] other = pattern(2 << 20, seed);
        assertThat(bytesOf((NDArray) synapse.invoke("echo", NDArray.of(other)))).isEqualTo(other);
      }

      assertThat(bytesOf((NDArray) synapse.invoke("kept", null))).isEqualTo(first);
      synapse.invoke("let_go", null);
      awaitNoHostBlockInUse(synapse);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {MSGPACK, PURE})
  void anAsyncHandlersInput_isGivenBackWithoutAnotherCall(String codec) {
    try (Synapse synapse = spawned(regions.builder(codec), codec)) {
      byte[] sent = pattern(2 << 20, 9);

      assertThat(bytesOf((NDArray) synapse.invoke("echo_async", NDArray.of(sent)))).isEqualTo(sent);

      // Nothing else is sent to the worker: it says DROPPED by itself.
      awaitNoHostBlockInUse(synapse);
    }
  }

  @Test
  void float64Array64MiB_isDoubledBitExactly() {
    try (Synapse synapse = spawned(regions.builder(MSGPACK), MSGPACK)) {
      int n = 8 << 20;
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = i * 0.25 - 7;
      }
      NDArray doubled = (NDArray) synapse.invoke("double", NDArray.of(values, n));
      double[] back = doubled.toDoubleArray();
      for (int i = 0; i < n; i += 4099) {
        assertThat(back[i]).isEqualTo(values[i] * 2);
      }
      assertThat(back[n - 1]).isEqualTo(values[n - 1] * 2);
    }
  }
}
