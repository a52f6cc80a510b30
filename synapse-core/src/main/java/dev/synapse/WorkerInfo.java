package dev.synapse;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a running worker reported about itself when it became ready.
 *
 * @param pid the worker's process id
 * @param pythonVersion the worker's Python version, e.g. {@code 3.11.7}
 * @param pysynapseVersion the version of the worker's pysynapse package
 * @param codec {@code msgpack} when the worker encodes with the msgpack package, {@code pure} when
 *     it uses pysynapse's own codec
 * @param seedProtocol true when the module is seed-style: it reads its stdin itself (one call at a
 *     time, no named functions); false when it is served by {@code pysynapse.serve}
 * @param functions the function names a module serves with {@code serve({...})}; empty otherwise
 * @param debugPort the port the worker's debugger listens on, when it was started with {@link
 *     WorkerSettings#debug}; empty otherwise
 */
public record WorkerInfo(
    long pid,
    String pythonVersion,
    String pysynapseVersion,
    String codec,
    boolean seedProtocol,
    List<String> functions,
    OptionalInt debugPort) {
  /** Copies the function list. */
  public WorkerInfo {
    functions = List.copyOf(functions);
    Objects.requireNonNull(debugPort, "debugPort");
  }

  /** A worker without a debugger. */
  public WorkerInfo(
      long pid,
      String pythonVersion,
      String pysynapseVersion,
      String codec,
      boolean seedProtocol,
      List<String> functions) {
    this(pid, pythonVersion, pysynapseVersion, codec, seedProtocol, functions, OptionalInt.empty());
  }
}
