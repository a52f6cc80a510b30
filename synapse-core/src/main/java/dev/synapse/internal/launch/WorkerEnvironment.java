package dev.synapse.internal.launch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of this JVM's environment variables a worker starts with: all of them (the default), or
 * only those named. Immutable; each {@code with} method returns a changed copy. The variables set
 * explicitly and those Synapse adds itself ({@link WorkerLaunch}) come on top either way.
 *
 * @param inherit whether the worker gets the whole environment of this JVM
 * @param passed the variables it gets when it does not inherit the whole environment
 */
public record WorkerEnvironment(boolean inherit, Set<String> passed) {
  /** The default: the worker inherits this JVM's whole environment. */
  public static final WorkerEnvironment INHERIT = new WorkerEnvironment(true, Set.of());

  /**
   * Variables that Windows programs cannot run without: Python fails to start (or to open sockets)
   * without {@code SYSTEMROOT}. Passed on Windows even when not inheriting.
   */
  static final Set<String> WINDOWS_ESSENTIALS = Set.of("SYSTEMROOT", "SystemRoot");

  /** Checks and keeps a sorted copy of {@code passed}. */
  public WorkerEnvironment {
    Objects.requireNonNull(passed, "passed");
    passed.forEach(WorkerEnvironment::requireName);
    passed = Set.copyOf(new TreeSet<>(passed));
  }

  /** This policy, with or without the whole environment of the JVM. */
  public WorkerEnvironment withInherit(boolean inherit) {
    return new WorkerEnvironment(inherit, passed);
  }

  /** This policy, also passing {@code names}. */
  public WorkerEnvironment withPassed(String... names) {
    Objects.requireNonNull(names, "names");
    Set<String> all = new TreeSet<>(passed);
    for (String name : names) {
      all.add(requireName(name));
    }
    return new WorkerEnvironment(inherit, all);
  }

  /**
   * The worker's environment before Synapse adds its own variables: {@code jvm} (all of it, or the
   * variables passed), then {@code set} on top.
   */
  public Map<String, String> resolve(Map<String, String> jvm, Map<String, String> set) {
    Map<String, String> result = new LinkedHashMap<>();
    if (inherit) {
      result.putAll(jvm);
    } else {
      Set<String> chosen = new TreeSet<>(passed);
      if (System.getProperty("os.name", "").startsWith("Windows")) {
        chosen.addAll(WINDOWS_ESSENTIALS);
      }
      for (String name : chosen) {
        String value = jvm.get(name);
        if (value != null) {
          result.put(name, value);
        }
      }
    }
    result.putAll(set);
    return Map.copyOf(result);
  }

  /**
   * Checks an environment variable's name.
   *
   * @throws IllegalArgumentException if it is empty or contains {@code =} or a NUL character
   */
  public static String requireName(String name) {
    Objects.requireNonNull(name, "an environment variable name is null");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("Not an environment variable name: '" + name + "'");
    }
    return name;
  }
}
