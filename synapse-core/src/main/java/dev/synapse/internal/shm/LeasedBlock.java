package dev.synapse.internal.shm;

/**
 * A block of a region that the caller holds through the explicit API: one the host allocated (lent:
 * the worker may write it during the calls it is sent to) or one the worker allocated and handed
 * over in an answer (kept: the worker does not reuse it until the host releases it).
 *
 * <p>Why a lent block counts its calls: the worker writes a lent block only while a call it was
 * sent to runs, so the block may be reused only once that call's final frame has arrived; and the
 * RELEASE that tells the worker to make its views read-only goes out when the last such call has
 * ended. That RELEASE is sent while this block's lock is held, and {@link #lend()} takes the same
 * lock, so a CALL that lends the block again can only be sent after it: the worker never makes a
 * new call's view read-only.
 */
final class LeasedBlock {
  final SharedRegion region;
  final Segment segment;
  final long offset;
  final long length;
  final boolean lent;
  private int calls; // guarded by this
  private boolean closed; // guarded by this

  LeasedBlock(SharedRegion region, Segment segment, long offset, long length, boolean lent) {
    this.region = region;
    this.segment = segment;
    this.offset = offset;
    this.length = length;
    this.lent = lent;
  }

  /** One more call is sent this block; false if it is closed. */
  synchronized boolean lend() {
    assert lent;
    if (closed) {
      return false;
    }
    calls++;
    return true;
  }

  /** A call this block was sent to has ended. */
  void callEnded() {
    synchronized (this) {
      if (--calls > 0) {
        return;
      }
      region.sealLent(this); // under the lock: see the class comment
      if (!closed) {
        return;
      }
    }
    region.free(this);
  }

  /** The holder has closed it: it is freed now, or when its last call ends. */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (calls > 0) {
        return;
      }
    }
    region.free(this);
  }
}
