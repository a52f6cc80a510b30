package dev.synapse.spark;

import dev.synapse.SynapseListener;
import dev.synapse.SynapsePool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of this executor JVM: one {@link SynapsePool} per {@link PythonModule}, made by the
 * first task that needs it and shared by every task of the executor after it.
 *
 * <p>Pools end when the executor stops: {@link SynapseSparkPlugin}'s executor side calls {@link
 * #closeAll}. Without the plugin, two fallbacks keep workers from outliving their executor: a pool
 * made under one {@link SparkEnv} is closed when a task of a later one (a new SparkContext in the
 * same JVM) asks for pools, and Synapse itself ends every worker when the JVM exits.
 *
 * <p>Thread-safe. A pool is spawned outside the registry's lock: two tasks asking for the same
 * module at once wait for the one spawn; tasks asking for other modules are not held up.
 */
final class ExecutorPools {
  private static final Logger log = LoggerFactory.getLogger(ExecutorPools.class);

  private static final Map<PythonModule, Entry> pools = new ConcurrentHashMap<>();
  private static final AtomicLong restarts = new AtomicLong();
  private static final Object closing = new Object();

  private ExecutorPools() {}

  /** The running pool of {@code module} on this executor, spawned now if there is none yet. */
  static SynapsePool poolFor(PythonModule module) {
    SparkEnv env = SparkEnv.get();
    closeStale(env);
    return pools.computeIfAbsent(module, key -> new Entry(key, env)).pool();
  }

  /** Worker replacements of every pool of this JVM since it started (a counter that only grows). */
  static long restarts() {
    return restarts.get();
  }

  /** How many pools are open; for the plugin's metrics. */
  static int openPools() {
    return pools.size();
  }

  /** Closes every pool of this executor (its workers end); later tasks spawn new ones. */
  static void closeAll() {
    synchronized (closing) {
      List<Entry> entries = new ArrayList<>(pools.values());
      pools.clear();
      entries.forEach(Entry::close);
    }
  }

  private static void closeStale(SparkEnv current) {
    for (Entry entry : pools.values()) {
      if (entry.env != current && pools.remove(entry.module, entry)) {
        log.info("Closing the workers of {}: their SparkContext has stopped", entry.module);
        entry.close();
      }
    }
  }

  /** The number of task slots of this executor: its cores. */
  static int executorCores(SparkConf conf) {
    if (conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.cores", 1);
    }
    String master = conf.get("spark.master", "");
    if (master.startsWith("local[")) {
      String threads = master.substring("local[".length(), master.indexOf(']')).split(",")[0];
      return threads.equals("*")
          ? Runtime.getRuntime().availableProcessors()
          : Integer.parseInt(threads.trim());
    }
    return master.equals("local") ? 1 : Runtime.getRuntime().availableProcessors();
  }

  /** One module's pool, spawned by the first caller of {@link #pool()}. */
  private static final class Entry {
    private final PythonModule module;
    private final SparkEnv env;
    private SynapsePool pool; // guarded by this
    private boolean closed; // guarded by this

    Entry(PythonModule module, SparkEnv env) {
      this.module = module;
      this.env = env;
    }

    synchronized SynapsePool pool() {
      if (closed) {
        throw new IllegalStateException("The workers of " + module + " were closed");
      }
      if (pool == null) {
        int size = module.poolSize(env == null ? 1 : executorCores(env.conf()));
        SynapsePool created = module.poolBuilder(size).listener(new RestartCounter()).build();
        try {
          created.spawn(module.directoryOnThisNode(), module.entrypoint());
        } catch (RuntimeException e) {
          created.close();
          pools.remove(module, this);
          throw e;
        }
        log.info("Started {} workers of {}", size, module);
        pool = created;
      }
      return pool;
    }

    synchronized void close() {
      closed = true;
      if (pool != null) {
        pool.close();
      }
    }
  }

  private static final class RestartCounter implements SynapseListener {
    @Override
    public void onWorkerRestarting(String module, String reason, int attempt) {
      restarts.incrementAndGet();
    }
  }
}
