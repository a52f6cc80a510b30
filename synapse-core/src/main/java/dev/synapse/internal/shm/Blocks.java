package dev.synapse.internal.shm;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The free and used blocks of one segment: first fit over free ranges kept sorted by offset, which
 * merge with their neighbours when freed. A region holds few blocks at once (one per large value in
 * flight), so a scan is cheap. Not thread-safe: the region's lock guards it.
 */
final class Blocks {
  /** Blocks start on cache lines, so two values never share one. */
  static final long ALIGNMENT = 64;

  private final TreeMap<Long, Long> free = new TreeMap<>();
  private final Map<Long, Long> used = new HashMap<>();

  Blocks(long size) {
    free.put(0L, size);
  }

  /** The offset of a new block of at least {@code length} bytes; -1 if none is free. */
  long allocate(long length) {
    long needed = (Math.max(length, 1) + ALIGNMENT - 1) & -ALIGNMENT;
    for (Map.Entry<Long, Long> range : free.entrySet()) {
      long size = range.getValue();
      if (size >= needed) {
        long offset = range.getKey();
        free.remove(offset);
        if (size > needed) {
          free.put(offset + needed, size - needed);
        }
        used.put(offset, needed);
        return offset;
      }
    }
    return -1;
  }

  /** Frees the block at {@code offset}; false if there is none (freed already, or never). */
  boolean release(long offset) {
    Long length = used.remove(offset);
    if (length == null) {
      return false;
    }
    long start = offset;
    long end = offset + length;
    Map.Entry<Long, Long> before = free.floorEntry(start);
    if (before != null && before.getKey() + before.getValue() == start) {
      start = before.getKey();
      free.remove(start);
    }
    Long after = free.remove(end);
    if (after != null) {
      end += after;
    }
    free.put(start, end - start);
    return true;
  }

  /** How many blocks are in use. */
  int inUse() {
    return used.size();
  }
}
