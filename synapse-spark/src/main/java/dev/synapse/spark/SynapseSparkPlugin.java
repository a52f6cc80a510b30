package dev.synapse.spark;

import com.codahale.metrics.Gauge;
import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Ties each executor's Python workers to the executor's life: enable it with {@code --conf
 * spark.plugins=dev.synapse.spark.SynapseSparkPlugin}. When the executor stops (the application
 * ends, dynamic allocation releases it; in local mode, the SparkContext stops), every pool of
 * {@link ExecutorPools} is closed and its workers end. It also publishes two gauges in the
 * executor's metrics ({@code plugin.dev.synapse.spark.SynapseSparkPlugin.workerRestarts} and {@code
 * .pools}).
 *
 * <p>Pools are still made on first use without the plugin, and still end with the JVM; the plugin
 * makes them end with the executor.
 */
public final class SynapseSparkPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorSide();
  }

  private static final class ExecutorSide implements ExecutorPlugin {
    @Override
    public void init(PluginContext context, Map<String, String> extraConf) {
      context.metricRegistry().register("workerRestarts", (Gauge<Long>) ExecutorPools::restarts);
      context.metricRegistry().register("pools", (Gauge<Integer>) ExecutorPools::openPools);
    }

    @Override
    public void shutdown() {
      ExecutorPools.closeAll();
    }
  }
}
