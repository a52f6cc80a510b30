package dev.synapse.testing;

import dev.synapse.LogLine;
import dev.synapse.SynapseListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps everything a worker reported, for assertions. */
public final class RecordingListener implements SynapseListener {
  public final List<LogLine> logs = new CopyOnWriteArrayList<>();
  public final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void onLog(LogLine line) {
    logs.add(line);
  }

  @Override
  public void onWorkerStarted(String module, long pid) {
    events.add("started " + pid);
  }

  @Override
  public void onWorkerExited(String module, long pid, int exitCode, boolean expected) {
    events.add("exited " + pid + " code " + exitCode + (expected ? " expected" : " unexpected"));
  }

  @Override
  public void onWorkerRestarting(String module, String reason, int attempt) {
    events.add("restarting " + attempt + ": " + reason);
  }

  /** The text of every log line. */
  public List<String> texts() {
    return logs.stream().map(LogLine::text).toList();
  }
}
