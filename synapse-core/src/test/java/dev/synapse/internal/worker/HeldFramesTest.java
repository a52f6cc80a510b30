package dev.synapse.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.internal.protocol.OutboundFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldFramesTest {
  private static OutboundFrame frame(int n) {
    return OutboundFrame.encode(packer -> packer.packInt(n), 1 << 10);
  }

  @Test
  void framesWaitForTheRelease_thenGoInOrder_andLaterOnesGoStraightAway() {
    HeldFrames held = new HeldFrames();
    OutboundFrame first = frame(1);
    OutboundFrame second = frame(2);
    held.accept(first);
    held.accept(second);
    List<OutboundFrame> sent = new ArrayList<>();

    held.release(sent::add);
    assertThat(sent).containsExactly(first, second);

    OutboundFrame third = frame(3);
    held.accept(third);
    assertThat(sent).containsExactly(first, second, third);
  }

  @Test
  void aSecondRelease_isABug() {
    HeldFrames held = new HeldFrames();
    held.release(frame -> {});
    assertThatThrownBy(() -> held.release(frame -> {})).isInstanceOf(AssertionError.class);
  }
}
