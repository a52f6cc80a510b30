package dev.synapse.bench.jmh;

import dev.synapse.DType;
import dev.synapse.NDArray;
import dev.synapse.Synapse;
import dev.synapse.bench.fixture.Workers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One-way numpy arrays through Synapse: a float64 {@link NDArray} of {@code size} bytes sent to
 * Python, which answers its {@code nbytes} ({@link #toPython}), and a float64 ndarray of {@code
 * size} bytes answered by Python for a small request ({@link #fromPython}, reading one element of
 * the answer through its buffer view; {@link #fromPythonCopied} also copies it out with {@link
 * NDArray#toDoubleArray()}). The time per call, divided into the size, is the one-way rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SynapseArrays {
  /** Bytes of array data (8 per element). */
  @Param({"67108864"})
  public int size;

  private Synapse synapse;
  private NDArray array;
  private int elements;

  /** Spawns the arrays module, makes the array sent, and checks both directions once. */
  @Setup(Level.Trial)
  public void spawn() {
    synapse = Workers.spawn("arrays");
    elements = size / Double.BYTES;
    double[] values = new double[elements];
    for (int i = 0; i < elements; i++) {
      values[i] = i;
    }
    array = NDArray.of(values);
    long counted = synapse.invoke("nbytes", array, Long.class);
    Object answer = synapse.invoke("array", elements);
    if (counted != size
        || !(answer instanceof NDArray answered)
        || answered.dtype() != DType.FLOAT64
        || answered.size() != elements
        || last(answered) != elements - 1) {
      throw new IllegalStateException(
          "The arrays module counted "
              + counted
              + " bytes and answered "
              + answer
              + " for "
              + elements
              + " float64 elements");
    }
  }

  /** Ends the worker. */
  @TearDown(Level.Trial)
  public void dispose() {
    synapse.close();
  }

  /** Java to Python: the array there, its {@code nbytes} back. */
  @Benchmark
  public Object toPython() {
    return synapse.invoke("nbytes", array);
  }

  /** Python to Java: a small request there, the array back; reads its last element. */
  @Benchmark
  public double fromPython() {
    return last((NDArray) synapse.invoke("array", elements));
  }

  /** As {@link #fromPython}, then copies the elements into a {@code double[]}. */
  @Benchmark
  public double[] fromPythonCopied() {
    return ((NDArray) synapse.invoke("array", elements)).toDoubleArray();
  }

  private static double last(NDArray array) {
    return array.buffer().getDouble((array.size() - 1) * Double.BYTES);
  }
}
