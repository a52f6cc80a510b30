package dev.synapse;

import java.util.List;

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
 */
public record WorkerInfo(
    long pid,
    String pythonVersion,
    String pysynapseVersion,
    String codec,
    boolean seedProtocol,
    List<String> functions) {
  /** Copies the function list. */
  public WorkerInfo {
    functions = List.copyOf(functions);
  }
}
