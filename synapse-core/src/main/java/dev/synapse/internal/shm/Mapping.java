package dev.synapse.internal.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file mapped into this JVM, and how it is unmapped.
 *
 * <p>Why two ways: a {@code MappedByteBuffer} of {@code FileChannel.map} (Java 17) cannot be
 * unmapped safely by hand (a thread still copying from it would read unmapped memory and crash the
 * JVM); it is unmapped when the garbage collector frees it, which {@link #unmap} lets happen by
 * dropping it. Where the runtime has the final foreign-memory API (Java 22 and later), the file is
 * mapped in a shared {@code Arena} instead, whose {@code close()} unmaps at once and safely: an
 * access racing with it fails with {@code IllegalStateException} instead of touching unmapped
 * memory. The newer API is reached through method handles, since the bytecode targets Java 17.
 */
final class Mapping {
  private static final Arenas ARENAS = Arenas.find();

  private volatile ByteBuffer buffer;
  private final Object arena;

  private Mapping(ByteBuffer buffer, Object arena) {
    this.buffer = buffer;
    this.arena = arena;
  }

  /** Maps the first {@code size} bytes of {@code channel}'s file. */
  static Mapping map(FileChannel channel, FileChannel.MapMode mode, long size) throws IOException {
    if (ARENAS != null) {
      return ARENAS.map(channel, mode, size);
    }
    return new Mapping(channel.map(mode, 0, size), null);
  }

  /** Whether mappings are unmapped at once by {@link #unmap} (else when they are collected). */
  static boolean unmapsAtOnce() {
    return ARENAS != null;
  }

  /** The mapped bytes; use absolute operations or a duplicate, since threads share it. */
  ByteBuffer buffer() {
    ByteBuffer current = buffer;
    if (current == null) {
      throw new IllegalStateException("The shared-memory segment is closed");
    }
    return current;
  }

  void unmap() {
    buffer = null;
    if (arena != null) {
      ARENAS.close(arena);
    }
  }

  /** The foreign-memory API of Java 22 and later, or null from {@link #find()} where absent. */
  private record Arenas(
      MethodHandle ofShared, MethodHandle map, MethodHandle asByteBuffer, MethodHandle close) {
    static Arenas find() {
      if (Runtime.version().feature() < 22) {
        return null; // a preview API before 22
      }
      try {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        return new Arenas(
            lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)),
            lookup.findVirtual(
                FileChannel.class,
                "map",
                MethodType.methodType(
                    segment, FileChannel.MapMode.class, long.class, long.class, arena)),
            lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class)),
            lookup.findVirtual(arena, "close", MethodType.methodType(void.class)));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    Mapping map(FileChannel channel, FileChannel.MapMode mode, long size) throws IOException {
      Object arena = invoke(ofShared);
      try {
        Object segment = map.invoke(channel, mode, 0L, size, arena);
        return new Mapping((ByteBuffer) asByteBuffer.invoke(segment), arena);
      } catch (IOException | RuntimeException | Error e) {
        close(arena);
        throw e;
      } catch (Throwable e) {
        close(arena);
        throw new IOException(e);
      }
    }

    void close(Object arena) {
      try {
        close.invoke(arena);
      } catch (Throwable e) {
        throw new IllegalStateException("Unmapping a shared-memory segment failed", e);
      }
    }

    private static Object invoke(MethodHandle handle) {
      try {
        return handle.invoke();
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
