package dev.synapse;

import java.util.Objects;

/**
 * How workers are started under the debugpy debugger, so that an IDE (VS Code, PyCharm) can attach
 * to them and stop at breakpoints in handlers; see {@link WorkerSettings#debug}. Immutable.
 *
 * <pre>{@code
 * Synapse synapse = Synapse.builder()
 *     .debug(DebugOptions.onPort(5678).withWaitForClient(true))
 *     .build();
 * }</pre>
 *
 * <p>The module's environment needs the {@code debugpy} package (put it in {@code
 * requirements.txt}); a worker that cannot import it fails to start with a {@link SpawnException}
 * that says so. Each worker listens on its own port: a {@link Synapse} on {@link #port()}, the
 * workers of a {@link SynapsePool} of size {@code n} each on the first free port from {@code port}
 * to {@code port + n - 1} (a worker that replaces another takes the port freed). Port 0 lets each
 * worker take any free port. {@link WorkerInfo#debugPort()} tells which port a worker took.
 *
 * @param host the address to listen on; {@code 127.0.0.1} unless set. Anyone who can connect to it
 *     can run code in the worker: keep it on the loopback address unless the network is yours.
 * @param port the port (the first port, for a pool) to listen on, 1 to 65535, or 0 for any free
 *     port
 * @param waitForClient whether a worker waits until an IDE has attached before it runs the module
 *     (so that breakpoints at import time are hit); its spawn returns only after that
 * @param suspendTimeouts whether timeouts are suspended while debugging (the default): calls have
 *     no timeout (a handler stopped at a breakpoint is not given up on), and, with {@code
 *     waitForClient}, the start-up timeout is at least {@link #ATTACH_WAIT_MINUTES} minutes
 */
public record DebugOptions(String host, int port, boolean waitForClient, boolean suspendTimeouts) {
  /** The least start-up timeout while a worker waits for an IDE and timeouts are suspended. */
  public static final int ATTACH_WAIT_MINUTES = 30;

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if {@code host} is empty or {@code port} is not 0 to 65535
   */
  public DebugOptions {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("The debug host cannot be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("The debug port must be 0 to 65535, was " + port);
    }
  }

  /**
   * Listening on {@code 127.0.0.1:port}, not waiting for the IDE, timeouts suspended.
   *
   * @throws IllegalArgumentException if {@code port} is not 0 to 65535
   */
  public static DebugOptions onPort(int port) {
    return new DebugOptions("127.0.0.1", port, false, true);
  }

  /** These options listening on {@code host}. */
  public DebugOptions withHost(String host) {
    return new DebugOptions(host, port, waitForClient, suspendTimeouts);
  }

  /** These options with {@link #waitForClient()} set to {@code wait}. */
  public DebugOptions withWaitForClient(boolean wait) {
    return new DebugOptions(host, port, wait, suspendTimeouts);
  }

  /** These options with {@link #suspendTimeouts()} set to {@code suspend}. */
  public DebugOptions withSuspendTimeouts(boolean suspend) {
    return new DebugOptions(host, port, waitForClient, suspend);
  }
}
