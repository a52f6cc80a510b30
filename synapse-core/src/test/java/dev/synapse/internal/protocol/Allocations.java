package dev.synapse.internal.protocol;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Bytes the current thread allocated on the heap, as HotSpot counts them ({@code
 * com.sun.management.ThreadMXBean}). Looked up reflectively: the tests compile inside the module,
 * which does not read the management modules.
 */
final class Allocations {
  private static final MethodHandle CURRENT_THREAD_ALLOCATED_BYTES = lookUp();

  private Allocations() {}

  private static MethodHandle lookUp() {
    try {
      Object threads =
          Class.forName("java.lang.management.ManagementFactory")
              .getMethod("getThreadMXBean")
              .invoke(null);
      Class<?> hotspotThreads = Class.forName("com.sun.management.ThreadMXBean");
      return MethodHandles.publicLookup()
          .findVirtual(
              hotspotThreads, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
          .bindTo(threads);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static long ofCurrentThread() {
    try {
      return (long) CURRENT_THREAD_ALLOCATED_BYTES.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
