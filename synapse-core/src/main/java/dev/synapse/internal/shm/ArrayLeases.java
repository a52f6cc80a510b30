package dev.synapse.internal.shm;

import dev.synapse.NDArray;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reaches the lease of an {@link NDArray}, which is not API: through a private lookup (allowed
 * inside the module), so that {@code NDArray} knows nothing of the region.
 */
public final class ArrayLeases {
  private static final MethodHandle LEASE;
  private static final MethodHandle LEASING;

  static {
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(NDArray.class, MethodHandles.lookup());
      LEASE = lookup.findVirtual(NDArray.class, "lease", MethodType.methodType(Lease.class));
      LEASING =
          lookup.findVirtual(
              NDArray.class, "leasing", MethodType.methodType(NDArray.class, Lease.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private ArrayLeases() {}

  /** The lease {@code array} holds, or null for an array in the heap. */
  public static Lease of(NDArray array) {
    try {
      return (Lease) LEASE.invokeExact(array);
    } catch (Throwable e) { // lease() throws nothing
      throw new IllegalStateException(e);
    }
  }

  /** {@code array} as the holder of {@code lease}. */
  static NDArray leasing(NDArray array, Lease lease) {
    try {
      return (NDArray) LEASING.invokeExact(array, lease);
    } catch (Throwable e) { // leasing() throws nothing
      throw new IllegalStateException(e);
    }
  }
}
