package dev.synapse.internal.worker;

import dev.synapse.internal.protocol.OutboundFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames for a worker that is still starting: held until its READY frame says that it reads them,
 * then sent in order, and every later one straight away. The shared-memory region is opened while
 * the worker's interpreter starts, off the spawn's critical path, but its MAP frame may only reach
 * a worker that runs pysynapse's serve loop: a seed-style module would read it as its input.
 */
final class HeldFrames implements Consumer<OutboundFrame> {
  private final Object lock = new Object();
  private List<OutboundFrame> held = new ArrayList<>(); // guarded by lock; null once released
  private Consumer<OutboundFrame> target; // guarded by lock

  @Override
  public void accept(OutboundFrame frame) {
    synchronized (lock) {
      if (target == null) {
        held.add(frame);
      } else {
        target.accept(frame); // under the lock, so that no frame overtakes the held ones
      }
    }
  }

  /** Sends the held frames to {@code sink}, and every later one too. */
  void release(Consumer<OutboundFrame> sink) {
    synchronized (lock) {
      assert target == null : "released twice";
      target = sink;
      held.forEach(sink);
      held = null;
    }
  }
}
