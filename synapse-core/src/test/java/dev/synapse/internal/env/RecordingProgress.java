package dev.synapse.internal.env;

import dev.synapse.SpawnPhase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers what a preparation reported, and on which thread. */
final class RecordingProgress implements EnvironmentProgress {
  final List<SpawnPhase> phases = new CopyOnWriteArrayList<>();
  final List<String> lines = new CopyOnWriteArrayList<>();
  final List<Thread> threads = new CopyOnWriteArrayList<>();
  final List<String> notices = new CopyOnWriteArrayList<>();

  @Override
  public void notice(String message) {
    notices.add(message);
    threads.add(Thread.currentThread());
  }

  @Override
  public void phase(SpawnPhase phase, long elapsedMillis) {
    phases.add(phase);
    threads.add(Thread.currentThread());
  }

  @Override
  public void installOutput(String line) {
    lines.add(line);
    threads.add(Thread.currentThread());
  }
}
