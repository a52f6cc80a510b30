package dev.synapse.internal.worker;

import dev.synapse.RestartPolicy;
import dev.synapse.SynapseListener;
import dev.synapse.internal.callback.HostFunctions;
import dev.synapse.internal.shm.SharedMemoryConfig;
import dev.synapse.internal.supervision.Listeners;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Everything a spawn needs, fixed when it starts.
 *
 * @param script the module's entrypoint file
 * @param module the entrypoint's name without {@code .py}, used in thread and logger names
 * @param python the interpreter to run
 * @param startupTimeout how long a worker may take to become ready
 * @param shutdownGrace how long a worker may take to exit once its stdin is closed
 * @param callTimeout the default timeout of a call; zero for none
 * @param cancelGrace how long a worker may take to end a call given up on (timeout, cancel) before
 *     it is replaced; zero to replace it at once
 * @param maxFrameBytes the largest frame either side accepts
 * @param restartPolicy what happens when a worker dies on its own
 * @param listener receives log lines and lifecycle events
 * @param callbackExecutor runs listener lifecycle methods and completes asynchronous calls
 * @param environment the worker's environment, before the variables Synapse adds at launch
 * @param hostFunctions the Java functions the worker may call, and their executor
 * @param sharedMemory how the worker's shared-memory region for large values is set up
 */
public record WorkerConfig(
    Path script,
    String module,
    String python,
    Duration startupTimeout,
    Duration shutdownGrace,
    Duration callTimeout,
    Duration cancelGrace,
    int maxFrameBytes,
    RestartPolicy restartPolicy,
    SynapseListener listener,
    Executor callbackExecutor,
    Map<String, String> environment,
    HostFunctions hostFunctions,
    SharedMemoryConfig sharedMemory) {
  /**
   * Runs a lifecycle event of the listener on the callback executor; a failing listener is logged.
   */
  public void notifyListener(Consumer<SynapseListener> event) {
    Listeners.notify(callbackExecutor, listener, event);
  }
}
