package dev.synapse.internal.shm;

import dev.synapse.NDArray;
import dev.synapse.internal.codec.NDArrayCodec;
import dev.synapse.internal.codec.SharedValues;
import dev.synapse.internal.protocol.Messages;
import dev.synapse.internal.protocol.OutboundFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared memory of one worker: segments the host writes (the inputs of calls) and segments the
 * worker writes (answers), each a file under a tmpfs that both processes map. See "Shared memory"
 * in {@code docs/protocol.md}.
 *
 * <pre>
 *  caller thread: place() ─ lock: allocate (grow: new segment, MAP frame) ─ copy in ─► reference
 *  reader thread: read()  ─ bounds check ─ copy out ─► RELEASE frame after the frame's decoding
 *  call ends (final frame, or acknowledged cancel): its blocks are freed, exactly once
 *  KEPT (an ndarray viewed, sent before the final frame): that block waits for its DROPPED too
 * </pre>
 *
 * <p>Why the blocks of a call live until its final frame: the worker copies a call's input out of
 * the region while it decodes the CALL frame, which is before it sends anything for that call, so
 * the first final frame (RESULT, ERROR, END, or the one answering a CANCEL) proves it is done with
 * them. A call whose final frame never comes ends with its worker, and the region with it. The one
 * exception is an ndarray the worker views where it lies instead of copying it: it says so (KEPT)
 * while it decodes the frame, and the block then also waits for its DROPPED. The worker's blocks
 * are freed by a RELEASE as soon as the host has copied them out.
 *
 * <p>The region's lock guards allocation and growth; copies happen outside it. A MAP frame is sent
 * while the lock is held, so that a frame referring to a new segment can only be sent after it.
 *
 * <p>The explicit path (see {@link LeasedBlock}): {@link #allocateLeased} gives the caller a block
 * of a segment both sides write (role {@code LENT}), which a call's input then names as a view
 * instead of a copy; an answer may name a block of the worker as a view too, which the caller holds
 * until it closes the array. A segment with such blocks stays mapped after the region closes until
 * the last of them is given back, so an array outliving its worker never reads unmapped memory.
 *
 * <p>Longer than this package's other classes, because both paths allocate under one lock, from one
 * set of segments that grow together within one maximum, and end together when the worker does.
 */
public final class SharedRegion {
  static final Logger LOG = LoggerFactory.getLogger(SharedRegion.class);

  /** MAP, host to worker: {@code [11, segment, path, size, role]}. */
  public static final int MAP = 11;

  /** RELEASE, host to worker: {@code [12, [segment, offset, ...]]}. */
  public static final int RELEASE = 12;

  private static final long GROWTH_GRAIN = 1024 * 1024;
  private static final Map<Path, Boolean> UNUSABLE_DIRECTORIES = new ConcurrentHashMap<>();

  private final SharedMemoryConfig config;
  private final Path directory;
  private final Consumer<OutboundFrame> send;
  private final String owner;
  private final Object lock = new Object();
  private final Map<Integer, Segment> segments = new ConcurrentHashMap<>();
  private final Map<Long, List<Placed>> callBlocks = new ConcurrentHashMap<>();
  private final Map<BlockKey, Placed> viewable = new HashMap<>(); // guarded by lock
  private final Map<Long, List<LeasedBlock>> callLoans = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> leased =
      new HashMap<>(); // segment -> blocks; guarded by lock
  private final List<Reference> toRelease = new ArrayList<>(); // the reader thread's
  private final AnnouncedValue announced = new AnnouncedValue(); // the reader thread's
  private int nextIndex; // guarded by lock
  private long totalBytes; // guarded by lock
  private boolean fullLogged; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * A host block that holds part of a call's input, from {@code offset}; the reference names {@code
   * start}. Free again once nothing holds it: its call until it ends, and a worker that has said it
   * keeps viewing the block (KEPT) until it says it has let go (DROPPED).
   */
  private static final class Placed {
    final Segment segment;
    final long offset;
    final long start;
    private boolean kept; // guarded by lock
    private int holders = 1; // guarded by lock

    Placed(Segment segment, long offset, long start) {
      this.segment = segment;
      this.offset = offset;
      this.start = start;
    }

    BlockKey key() {
      return new BlockKey(segment.index, start);
    }
  }

  /** A block as the worker names it in KEPT and DROPPED: the segment and the reference's offset. */
  private record BlockKey(int segment, long offset) {}

  private SharedRegion(
      SharedMemoryConfig config, Path directory, Consumer<OutboundFrame> send, String owner) {
    this.config = config;
    this.directory = directory;
    this.send = send;
    this.owner = owner;
  }

  /**
   * Opens the region of a worker that supports shared memory, with its first worker segment (the
   * host's first segment is made when a call first needs it).
   *
   * @param send sends a frame to the worker, in order with the calls' frames
   * @param owner names the worker in log lines
   * @return the region, or null (said once in the log per directory) if the directory is unusable:
   *     large values then go through the pipe
   */
  public static SharedRegion open(
      SharedMemoryConfig config, Consumer<OutboundFrame> send, String owner) {
    Path directory = config.directoryOrDefault();
    SharedRegion region = new SharedRegion(config, directory, send, owner);
    try {
      if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
        throw new IOException("not a writable directory");
      }
      synchronized (region.lock) {
        region.addSegment(Segment.Role.WORKER, 0);
      }
      return region;
    } catch (IOException | RuntimeException e) {
      region.close();
      if (UNUSABLE_DIRECTORIES.putIfAbsent(directory, Boolean.TRUE) == null) {
        LOG.warn(
            "Shared memory cannot be used in {} ({}): large values go through the pipe",
            directory,
            e.toString());
      }
      return null;
    }
  }

  /** The region as the encoder of call {@code id} uses it: the blocks it places are the call's. */
  public SharedValues forCall(long id) {
    return new SharedValues() {
      @Override
      public int threshold() {
        return config.threshold();
      }

      @Override
      public byte[] place(int code, byte[] head, ByteBuffer data) {
        return SharedRegion.this.place(id, code, head, data);
      }

      @Override
      public byte[] lend(NDArray array, byte[] header) {
        return SharedRegion.this.lend(id, array, header);
      }

      @Override
      public Referenced read(byte[] body) {
        throw new UnsupportedOperationException("a call's input is written, not read");
      }
    };
  }

  /** A block the caller allocated: its writable bytes and the lease that gives it back. */
  public record Allocation(ByteBuffer buffer, Lease lease) {}

  /**
   * A block of {@code length} bytes that the caller holds until it closes the lease, and that calls
   * of this worker may be lent; null if the region has no room for it (or has closed).
   */
  public Allocation allocateLeased(long length) {
    Segment segment = null;
    long offset = -1;
    synchronized (lock) {
      if (closed) {
        return null;
      }
      for (Segment candidate : segments.values()) {
        if (candidate.role == Segment.Role.LENT) {
          offset = candidate.blocks.allocate(length);
          if (offset >= 0) {
            segment = candidate;
            break;
          }
        }
      }
      if (segment == null) {
        segment = grow(Segment.Role.LENT, length);
        if (segment == null) {
          return null;
        }
        offset = segment.blocks.allocate(length);
      }
      leased.merge(segment.index, 1, Integer::sum);
    }
    ByteBuffer buffer =
        segment.buffer().slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    return new Allocation(buffer, Lease.of(new LeasedBlock(this, segment, offset, length, true)));
  }

  /** The reference that lends {@code array}'s block to call {@code id}, or null to copy it. */
  private byte[] lend(long id, NDArray array, byte[] header) {
    Lease lease = ArrayLeases.of(array);
    LeasedBlock block = lease == null ? null : lease.block();
    if (block == null || block.region != this || !block.lent || !block.lend()) {
      return null; // another worker's (one that ended, or a pool's other worker): copied
    }
    callLoans.computeIfAbsent(id, k -> new ArrayList<>(1)).add(block);
    return new Reference(
            NDArrayCodec.EXT_TYPE, block.segment.index, block.offset, block.length, header)
        .encode();
  }

  /** The last call {@code block} was lent to has ended: the worker's views become read-only. */
  void sealLent(LeasedBlock block) {
    synchronized (lock) {
      if (!closed) {
        send.accept(RegionMessages.release(List.of(referenceTo(block))));
      }
    }
  }

  /** Gives back a block the caller held: to the host's blocks, or to the worker (RELEASE). */
  void free(LeasedBlock block) {
    synchronized (lock) {
      if (block.lent) {
        block.segment.blocks.release(block.offset);
      } else if (!closed) {
        send.accept(RegionMessages.release(List.of(referenceTo(block))));
      }
      int left = leased.merge(block.segment.index, -1, Integer::sum);
      if (left == 0) {
        leased.remove(block.segment.index);
        if (closed) {
          block.segment.close(); // the region closed while it was held: unmapped now
        }
      }
    }
  }

  private static Reference referenceTo(LeasedBlock block) {
    return new Reference(SharedValues.BINARY, block.segment.index, block.offset, block.length);
  }

  /** An answer's view of a worker block: an array that holds the block until it is closed. */
  private SharedValues.Referenced view(Reference reference, Segment segment) {
    if (reference.code() != NDArrayCodec.EXT_TYPE) {
      throw new BadReference("The worker sent a view of a value that is not an ndarray");
    }
    ByteBuffer data = segment.buffer().slice((int) reference.offset(), (int) reference.length());
    NDArray array;
    try {
      array = NDArrayCodec.view(reference.header(), data);
    } catch (IOException e) {
      throw new BadReference("The worker sent a view of an invalid ndarray: " + e.getMessage());
    }
    LeasedBlock block =
        new LeasedBlock(this, segment, reference.offset(), reference.length(), false);
    synchronized (lock) {
      leased.merge(segment.index, 1, Integer::sum);
    }
    return new SharedValues.Referenced(
        reference.code(), null, ArrayLeases.leasing(array, Lease.of(block)));
  }

  /** The region as the reader thread uses it to decode the worker's frames. */
  public SharedValues answers() {
    return new SharedValues() {
      @Override
      public int threshold() {
        return Integer.MAX_VALUE;
      }

      @Override
      public byte[] place(int code, byte[] head, ByteBuffer data) {
        return null;
      }

      @Override
      public Referenced read(byte[] body) {
        return SharedRegion.this.read(body);
      }
    };
  }

  private byte[] place(long id, int code, byte[] head, ByteBuffer data) {
    long length = (long) head.length + data.remaining();
    // The worker may view an ndarray where it lies instead of copying it: its data starts on the
    // blocks' alignment, the header just before it.
    boolean inPlace = code == NDArrayCodec.EXT_TYPE;
    int padding = inPlace ? (int) (-head.length & (Blocks.ALIGNMENT - 1)) : 0;
    Placed placed;
    synchronized (lock) {
      placed = allocate(padding + length, padding);
      if (placed == null) {
        return null;
      }
      if (inPlace) {
        viewable.put(placed.key(), placed);
      }
    }
    callBlocks.computeIfAbsent(id, k -> new ArrayList<>(1)).add(placed);
    try {
      ByteBuffer target = placed.segment.buffer();
      target.put((int) placed.start, head);
      SplitCopy.toSegment(data, target, (int) placed.start + head.length);
    } catch (IllegalStateException e) {
      // The worker ended and its region closed during the copy: the value goes in the frame, and
      // the call, which this worker no longer takes, to its successor.
      return null;
    }
    return new Reference(code, placed.segment.index, placed.start, length).encode();
  }

  /** A host block of {@code length} bytes whose value starts {@code padding} bytes in, or null. */
  private Placed allocate(long length, int padding) {
    assert Thread.holdsLock(lock);
    if (closed) {
      return null;
    }
    for (Segment segment : segments.values()) {
      if (segment.role == Segment.Role.HOST) {
        long offset = segment.blocks.allocate(length);
        if (offset >= 0) {
          return new Placed(segment, offset, offset + padding);
        }
      }
    }
    Segment grown = grow(Segment.Role.HOST, length);
    if (grown == null) {
      return null;
    }
    matchWorkerSegments(length);
    long offset = grown.blocks.allocate(length);
    return new Placed(grown, offset, offset + padding);
  }

  /**
   * Gives the worker a segment of at least {@code length} bytes too, if it has none yet and the
   * maximum allows: an answer is often as large as the input (an echo, an array transformed), and
   * the MAP goes out before the call, so that answer need not take the pipe while it asks to GROW.
   */
  private void matchWorkerSegments(long length) {
    assert Thread.holdsLock(lock);
    for (Segment segment : segments.values()) {
      if (segment.role == Segment.Role.WORKER && segment.size >= length) {
        return;
      }
    }
    try {
      addSegment(Segment.Role.WORKER, length);
    } catch (IOException | RuntimeException e) {
      LOG.debug("No matching segment for worker {}: {}", owner, e.toString());
    }
  }

  /** A new segment for at least {@code length} bytes, or null (said once) if there is no room. */
  private Segment grow(Segment.Role role, long length) {
    assert Thread.holdsLock(lock);
    try {
      Segment segment = addSegment(role, length);
      if (segment != null) {
        return segment;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("A shared-memory segment for worker {} cannot be made: {}", owner, e.toString());
    }
    if (!fullLogged) {
      fullLogged = true;
      LOG.info(
          "The shared memory of worker {} is full ({} of at most {} bytes): values that do not fit"
              + " go through the pipe",
          owner,
          totalBytes,
          config.maxBytes());
    }
    return null;
  }

  /**
   * Creates a segment for at least {@code least} bytes and tells the worker to map it; null if the
   * maximum does not allow it. A first segment (least 0) takes at most half the maximum, so that
   * the other direction has room too.
   */
  private Segment addSegment(Segment.Role role, long least) throws IOException {
    assert Thread.holdsLock(lock);
    long needed = (least + GROWTH_GRAIN - 1) / GROWTH_GRAIN * GROWTH_GRAIN;
    if (needed > SharedMemoryConfig.MAX_SEGMENT_BYTES) {
      return null;
    }
    long size = Math.max(SharedMemoryConfig.FIRST_SEGMENT_BYTES, needed);
    if (least == 0) {
      size = Math.min(size, config.maxBytes() / 2);
    }
    if (totalBytes + size > config.maxBytes()) {
      size = Math.max(needed, GROWTH_GRAIN);
      if (totalBytes + size > config.maxBytes()) {
        return null;
      }
    }
    Segment segment = Segment.create(directory, nextIndex, role, size);
    nextIndex++;
    totalBytes += size;
    segments.put(segment.index, segment);
    send.accept(RegionMessages.map(segment));
    return segment;
  }

  private SharedValues.Referenced read(byte[] body) {
    Reference reference = Reference.decode(body);
    Segment segment = segments.get(reference.segment());
    if (segment == null || segment.role != Segment.Role.WORKER) {
      throw new BadReference(
          "The worker sent a reference to segment "
              + reference.segment()
              + ", which is not one it writes");
    }
    long offset = reference.offset();
    long length = reference.length();
    if (length > segment.size - offset || length > Integer.MAX_VALUE - 8) {
      throw new BadReference(
          "The worker sent a reference to "
              + length
              + " bytes at "
              + offset
              + " of segment "
              + segment.index
              + ", which has "
              + segment.size);
    }
    if (reference.header() != null) {
      return view(reference, segment);
    }
    byte[] bytes = announced.take((int) length);
    SplitCopy.toHeap(segment.buffer(), (int) offset, bytes);
    toRelease.add(reference);
    return new SharedValues.Referenced(reference.code(), bytes);
  }

  /**
   * A frame other than a region message has been decoded: lets the worker reuse the blocks read
   * from it, and drops the array made for an announced value that the frame did not hold; the
   * reader thread's.
   *
   * @return how many bytes those blocks held (what the frame would have been longer without them)
   */
  public long releaseRead() {
    announced.forget();
    if (toRelease.isEmpty()) {
      return 0;
    }
    long bytes = 0;
    for (Reference reference : toRelease) {
      bytes += reference.length();
    }
    send.accept(RegionMessages.release(toRelease));
    toRelease.clear();
    return bytes;
  }

  /** Call {@code id} has ended: its blocks are free again. */
  public void callEnded(long id) {
    // The common call placed and borrowed nothing. A call's own entries are put before its frame
    // is sent, so before its answer can end it.
    if (callLoans.isEmpty() && callBlocks.isEmpty()) {
      return;
    }
    List<LeasedBlock> loans = callLoans.remove(id);
    if (loans != null) {
      for (LeasedBlock block : loans) {
        block.callEnded();
      }
    }
    List<Placed> blocks = callBlocks.remove(id);
    if (blocks != null) {
      synchronized (lock) {
        for (Placed placed : blocks) {
          letGo(placed);
        }
      }
    }
  }

  /** One holder of {@code placed} is done with it: the block is free once none is left. */
  private void letGo(Placed placed) {
    assert Thread.holdsLock(lock);
    if (--placed.holders == 0) {
      viewable.remove(placed.key(), placed);
      if (!closed) {
        placed.segment.blocks.release(placed.offset);
      }
    }
  }

  /**
   * KEPT or DROPPED: the worker keeps viewing host blocks after their calls end, or has let go of
   * them; the reader thread's. KEPT comes while the block's call runs, before its final frame.
   *
   * @param pairs {@code segment, offset} pairs, each offset that of a reference to an ndarray
   * @throws BadReference if one names no such block, or the worker's state of it is not the one the
   *     message changes (KEPT twice, DROPPED before KEPT)
   */
  public void onWorkerBlocks(boolean kept, long[] pairs) {
    synchronized (lock) {
      for (int i = 0; i < pairs.length; i += 2) {
        BlockKey key = new BlockKey((int) Math.min(pairs[i], Integer.MAX_VALUE), pairs[i + 1]);
        Placed placed = viewable.get(key);
        if (placed == null || placed.kept == kept) {
          if (closed) {
            return; // the worker has ended: its blocks went with the region
          }
          throw new BadReference(
              "The worker "
                  + (kept ? "keeps" : "drops")
                  + " the host block at "
                  + key.offset()
                  + " of segment "
                  + key.segment()
                  + ", which is no ndarray "
                  + (kept ? "of a running call" : "it kept"));
        }
        placed.kept = kept;
        if (kept) {
          placed.holders++;
        } else {
          letGo(placed);
        }
      }
    }
  }

  /**
   * A message of the worker about the region: MAPPED (its file can go), GROW (it needs a new
   * segment of at least {@code value} bytes to write answers into) or PLACING (it is copying a
   * value of {@code value} bytes into its segments); the reader thread's.
   */
  public void onWorkerMessage(int type, long value) {
    if (type == Messages.PLACING) {
      announced.expect(value, largestWorkerSegment());
      return;
    }
    if (type == Messages.MAPPED) {
      Segment segment = segments.get((int) Math.min(value, Integer.MAX_VALUE));
      if (segment != null) {
        segment.unlink();
      }
      return;
    }
    synchronized (lock) {
      if (!closed && value > 0) {
        grow(Segment.Role.WORKER, value);
      }
    }
  }

  private long largestWorkerSegment() {
    long largest = 0;
    for (Segment segment : segments.values()) {
      if (segment.role == Segment.Role.WORKER) {
        largest = Math.max(largest, segment.size);
      }
    }
    return largest;
  }

  /** How many blocks of the host are in use for calls' inputs (for tests and metrics). */
  public int blocksInUse() {
    synchronized (lock) {
      int count = 0;
      for (Segment segment : segments.values()) {
        if (segment.role == Segment.Role.HOST) {
          count += segment.blocks.inUse();
        }
      }
      return count;
    }
  }

  /** How many blocks the caller holds through the explicit API (for tests and metrics). */
  public int leasedBlocks() {
    synchronized (lock) {
      return leased.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Deletes what files remain and unmaps, but for segments with blocks the caller still holds
   * (unmapped when the last is given back); the worker has ended. Idempotent.
   */
  public void close() {
    List<LeasedBlock> loans = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      for (Segment segment : segments.values()) {
        if (leased.containsKey(segment.index)) {
          segment.unlink();
        } else {
          segment.close();
        }
      }
      segments.clear();
      callBlocks.clear();
      viewable.clear();
      callLoans.values().forEach(loans::addAll);
      callLoans.clear();
    }
    for (LeasedBlock block : loans) {
      block.callEnded(); // no final frame comes for them any more
    }
  }
}
