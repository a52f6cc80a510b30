package dev.synapse.testing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Bytes a thread allocated on the heap, as HotSpot counts them ({@code
 * com.sun.management.ThreadMXBean}). Looked up reflectively: the tests compile inside the module,
 * which does not read the management modules.
 */
public final class Allocations {
  private static final MethodHandle CURRENT_THREAD = lookUp("getCurrentThreadAllocatedBytes");
  private static final MethodHandle THREAD = lookUp("getThreadAllocatedBytes", long.class);

  private Allocations() {}

  private static MethodHandle lookUp(String method, Class<?>... parameters) {
    try {
      Object threads =
          Class.forName("java.lang.management.ManagementFactory")
              .getMethod("getThreadMXBean")
              .invoke(null);
      Class<?> hotspotThreads = Class.forName("com.sun.management.ThreadMXBean");
      return MethodHandles.publicLookup()
          .findVirtual(hotspotThreads, method, MethodType.methodType(long.class, parameters))
          .bindTo(threads);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** What the calling thread has allocated so far. */
  public static long ofCurrentThread() {
    try {
      return (long) CURRENT_THREAD.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the thread of id {@code threadId} has allocated so far. */
  public static long ofThread(long threadId) {
    try {
      return (long) THREAD.invokeExact(threadId);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
