package dev.synapse.internal.launch;

import dev.synapse.SpawnException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a worker process: the interpreter running pysynapse's bootstrap, which runs the module.
 * See "Start-up" in {@code docs/protocol.md} for what the bootstrap does before the module runs.
 */
public final class WorkerLaunch {
  /**
   * glibc's malloc settings for the worker, unless the environment sets them already. By default
   * glibc maps every block above 128 KiB to fresh pages and unmaps it when it is freed, so each
   * large frame touches all its memory anew (on a small VM some 300 ms of page faults for 64 MiB).
   * With these, blocks up to 1 GiB come from the heap (the main thread's, where frames are read and
   * answers written) and it keeps up to 1 GiB of freed memory for the next frame. The trim
   * threshold must exceed what one call frees at once (the frame, the decoded value, the answer and
   * its encoding): at 256 MiB a 64 MiB answer was slower than with glibc's defaults, because the
   * heap shrank and grew again on every call.
   */
  static final Map<String, String> MALLOC_TUNING =
      Map.of(
          "MALLOC_MMAP_THRESHOLD_", Integer.toString(1 << 30),
          "MALLOC_TRIM_THRESHOLD_", Integer.toString(1 << 30));

  /**
   * The program the worker's interpreter runs ({@code python -c}), the same as {@code LAUNCH_CODE}
   * in {@code _bootstrap.py}: it drops the empty entry (the working directory) that {@code -c} puts
   * first on {@code sys.path} before it imports anything, then runs the bootstrap from the copy of
   * pysynapse on {@code PYTHONPATH}. Unlike {@code -m pysynapse._bootstrap}, it imports neither
   * {@code runpy} and its helpers (some milliseconds of every spawn) nor anything from the working
   * directory.
   */
  static final String LAUNCH_CODE =
      "import sys;sys.path[:1]=[p for p in sys.path[:1] if p];"
          + "from pysynapse._bootstrap import main;sys.exit(main(sys.argv[1:]))";

  private WorkerLaunch() {}

  /**
   * Starts {@code python -X faulthandler -c LAUNCH_CODE script} in the script's directory.
   *
   * <p>The worker's environment is {@code environment} (see {@link WorkerEnvironment}) with
   * Synapse's own variables: {@code PYTHONPATH} with pysynapse's copy first, {@code
   * SYNAPSE_MAX_FRAME}, {@code PYTHONIOENCODING=utf-8}, {@code PYTHONUNBUFFERED=1}, and {@link
   * #MALLOC_TUNING} unless {@code environment} sets those.
   *
   * @param environment the worker's environment before Synapse's own variables
   * @throws SpawnException if the interpreter cannot be run
   */
  public static Process start(
      String python, Path script, int maxFrameBytes, Map<String, String> environment) {
    return start(python, script, maxFrameBytes, environment, 0);
  }

  /**
   * Starts a worker like {@link #start(String, Path, int, Map)}, telling it in {@code
   * SYNAPSE_SHM_THRESHOLD} from what size its answers' values go through shared memory (0: never).
   */
  public static Process start(
      String python,
      Path script,
      int maxFrameBytes,
      Map<String, String> environment,
      int sharedThreshold) {
    List<String> command =
        new ArrayList<>(List.of(python, "-X", "faulthandler", "-c", LAUNCH_CODE));
    command.add(script.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(script.getParent().toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.putAll(environment);
    MALLOC_TUNING.forEach(env::putIfAbsent);
    String inherited = env.get("PYTHONPATH");
    String home = PysynapseHome.directory().toString();
    env.put(
        "PYTHONPATH",
        inherited == null || inherited.isEmpty() ? home : home + File.pathSeparator + inherited);
    env.put("SYNAPSE_MAX_FRAME", Integer.toString(maxFrameBytes));
    if (sharedThreshold > 0) {
      env.put("SYNAPSE_SHM_THRESHOLD", Integer.toString(sharedThreshold));
    } else {
      env.remove("SYNAPSE_SHM_THRESHOLD");
    }
    env.put("PYTHONIOENCODING", "utf-8");
    env.put("PYTHONUNBUFFERED", "1");
    try {
      Process process = builder.start();
      LiveProcesses.add(process);
      return process;
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot start the Python interpreter '" + python + "': " + e.getMessage(), e);
    }
  }
}
