package dev.synapse.internal.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Copies in two halves come out exactly as one copy, and fail as one copy. */
class SplitCopyTest {
  private static final int LEAST = SplitCopy.LEAST_BYTES;

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, LEAST - 1, LEAST, LEAST + 1, 3 * LEAST + 7})
  void bothDirectionsCopyEveryByteToItsPlace(int length) {
    copiesEveryByte(length, ByteBuffer.allocate(length + 11));
    copiesEveryByte(length, ByteBuffer.allocateDirect(length + 11));
  }

  private static void copiesEveryByte(int length, ByteBuffer source) {
    int offset = 4099;
    ByteBuffer segment = ByteBuffer.allocateDirect(length + 2 * offset);
    byte[] value = random(length, length);
    source.position(5);
    source.put(value).position(5).limit(5 + length);

    SplitCopy.toSegment(source, segment, offset);
    byte[] back = new byte[length];
    SplitCopy.toHeap(segment, offset, back);

    assertThat(back).isEqualTo(value);
    assertThat(source.position()).isEqualTo(5); // absolute copies: the source is not consumed
    assertThat(segment.get(offset - 1)).isZero();
    assertThat(segment.get(offset + length)).isZero();
  }

  @Test
  void aFailureInTheHelpersHalf_isTheCallersFailure() {
    assumeTrue(SplitCopy.SECOND_CORE, "one core: nothing is split");
    for (Throwable failure :
        List.of(
            new IllegalStateException("the segment is closed"),
            new InternalError("a fault occurred in an unsafe memory access"))) {
      assertThatThrownBy(
              () ->
                  SplitCopy.inHalves(
                      2 * LEAST,
                      (from, length) -> {
                        if (from > 0) {
                          throwUnchecked(failure);
                        }
                      }))
          .isSameAs(failure);
    }
  }

  private static void throwUnchecked(Throwable failure) {
    if (failure instanceof Error e) {
      throw e;
    }
    throw (RuntimeException) failure;
  }

  @Test
  void aFailureInTheCallersHalf_returnsOnlyOnceTheOtherHalfIsNoLongerBeingCopied()
      throws Exception {
    assumeTrue(SplitCopy.SECOND_CORE, "one core: nothing is split");
    CountDownLatch helperStarted = new CountDownLatch(1);
    CountDownLatch helperMayFinish = new CountDownLatch(1);
    AtomicBoolean helperFinished = new AtomicBoolean();
    AtomicBoolean finishedWhenTheCallerFailed = new AtomicBoolean();
    IllegalStateException closed = new IllegalStateException("the segment is closed");
    Thread caller =
        new Thread(
            () -> {
              try {
                SplitCopy.inHalves(
                    2 * LEAST,
                    (from, length) -> {
                      if (from == 0) {
                        awaitQuietly(helperStarted);
                        throw closed;
                      }
                      helperStarted.countDown();
                      awaitQuietly(helperMayFinish);
                      helperFinished.set(true);
                    });
              } catch (IllegalStateException e) {
                finishedWhenTheCallerFailed.set(helperFinished.get());
              }
            });
    caller.start();
    assertThat(helperStarted.await(30, TimeUnit.SECONDS)).isTrue();
    caller.join(200);
    assertThat(caller.isAlive()).as("the caller waits for the helper's half").isTrue();
    helperMayFinish.countDown();
    caller.join(30_000);
    assertThat(finishedWhenTheCallerFailed).isTrue();
  }

  @Test
  void aValueBelowTheLeastIsCopiedByTheCallerAlone() {
    Thread[] copiers = new Thread[2];
    SplitCopy.inHalves(
        LEAST - 1, (from, length) -> copiers[from == 0 ? 0 : 1] = Thread.currentThread());
    assertThat(copiers).containsExactly(Thread.currentThread(), null);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
