package dev.synapse;

/**
 * A Java function that workers may call: {@code pysynapse.host.call(name, payload)} in a handler
 * (or {@code await pysynapse.host.call_async(name, payload)} in an {@code async def} one). Exposed
 * with {@link WorkerSettings#expose(String, ExposedFunction)} or, with its input converted to a
 * record or POJO first, {@link WorkerSettings#expose(String, Class, ExposedFunction)}.
 *
 * <p><b>Threads.</b> It runs on the executor set with {@link WorkerSettings#exposedExecutor}
 * (default: daemon threads owned by Synapse, as many as there are calls running), never on the
 * thread that reads the worker's output, so it may block, and it may call the same worker again or
 * any other: the worker goes on serving while its handler waits. Many calls may run at once.
 *
 * <p><b>Input and output.</b> The input is the decoded payload as calls' answers come back (null,
 * Boolean, Long, Double, String, byte[], Instant, NDArray, ExtensionValue, List, Map), or the type
 * given to the typed form. The return value is encoded as a call's input is (records and POJOs as
 * maps of their properties).
 *
 * <p><b>Errors.</b> An exception it throws reaches the Python caller as {@code
 * pysynapse.host.JavaError} with its class name, message and stack trace. When the worker's call
 * that made the request is cancelled or times out, the function's future is cancelled and its
 * thread interrupted.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface ExposedFunction<I, O> {
  /**
   * Answers one request of a worker.
   *
   * @throws Exception whatever the function fails with; it goes back to the worker
   */
  O apply(I input) throws Exception;
}
