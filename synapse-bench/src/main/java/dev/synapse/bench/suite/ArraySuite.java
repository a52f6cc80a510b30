package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.jmh.JmhRunner;
import dev.synapse.bench.jmh.JmhScores;
import dev.synapse.bench.jmh.RawPayload;
import dev.synapse.bench.jmh.SynapseArrays;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * One-way rates of a 64 MiB float64 numpy array ({@code NDArray} in Java, {@code ndarray} in
 * Python), each direction, against the raw loop moving 64 MiB into reused buffers in the same run
 * ({@link RawPayload} at that size only, so that this suite alone gives both figures). The rate is
 * the array's data bytes divided by the time of one call (the small message the other way
 * included), as for the {@code byte[]} rows of {@link PayloadSuite}.
 */
public final class ArraySuite implements Suite {
  private static final int SIZE = 64 << 20;

  /**
   * The {@code byte[]} rows' 64 MiB target, quoted for comparison: the arrays have no target of
   * their own.
   */
  private static final String BYTES_TARGET = "none (`byte[]`: ≥ 1,500 MB/s)";

  @Override
  public String id() {
    return "arrays";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    JmhRunner jmh = new JmhRunner(settings.logs());
    Map<String, List<String>> size = Map.of("size", List.of(Integer.toString(SIZE)));
    Collection<RunResult> synapse = jmh.run(SynapseArrays.class, settings.payload(), size);
    Collection<RunResult> raw = jmh.run(RawPayload.class, settings.payload(), size);
    Map<String, String> param = Map.of("size", Integer.toString(SIZE));
    Measured rawToPython = rate(JmhScores.find(raw, "toPython", param));
    Measured rawFromPython = rate(JmhScores.find(raw, "fromPython", param));
    List<Row> rows =
        List.of(
            Row.of(
                "Java → Python, 64 MiB float64 `NDArray`",
                Unit.MEGABYTES_PER_SECOND,
                rate(JmhScores.find(synapse, "toPython", param)),
                rawToPython,
                Target.none(BYTES_TARGET)),
            Row.of(
                "Python → Java, 64 MiB float64 `NDArray`",
                Unit.MEGABYTES_PER_SECOND,
                rate(JmhScores.find(synapse, "fromPython", param)),
                rawFromPython,
                Target.none(BYTES_TARGET)),
            Row.of(
                "Python → Java, 64 MiB float64 `NDArray` + `toDoubleArray()`",
                Unit.MEGABYTES_PER_SECOND,
                rate(JmhScores.find(synapse, "fromPythonCopied", param)),
                rawFromPython,
                Target.none("")));
    return new SuiteResult(
        rows,
        List.of(
            "Arrays: JMH AverageTime of `invoke(\"nbytes\", array)` (Java → Python: an `NDArray.of(double[])`"
                + " of 8,388,608 elements made once, answered with its `nbytes`) and `invoke(\"array\", n)`"
                + " (Python → Java: a float64 `numpy.arange(n)` made once per n, received as an `NDArray` of"
                + " which one element is read through `buffer()`) on `arrays/main.py`; the `toDoubleArray()`"
                + " row adds the copy of the received elements into a new `double[]`. MB/s = 64 MiB of array"
                + " data ÷ time per call (the few bytes of the ext header not counted), 1 MB = 10^6 bytes."
                + " Floor: the 64 MiB `byte[]` floor of the payload rows (`raw/raw_echo.py`, reused buffers on"
                + " both sides), measured again in this suite; "
                + settings.payload().describe()
                + "."));
  }

  private static Measured rate(RunResult result) {
    return JmhScores.megabytesPerSecond(result, SIZE);
  }
}
