package dev.synapse.testing;

import dev.synapse.Synapse;
import dev.synapse.SynapsePool;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Python modules under {@code src/test/python}, written for the tests, and the interpreters.
 */
public final class Fixtures {
  /** The first {@code python3} on PATH: here a pyenv build without msgpack (pure-Python codec). */
  public static final String PLAIN_PYTHON = "python3";

  /** Debian's interpreter with python3-msgpack and python3-numpy (C codec). */
  public static final String DEBIAN_PYTHON = "/usr/bin/python3";

  private Fixtures() {}

  /**
   * A builder that runs workers on {@code python} itself: the fixture modules need no venv (the
   * venv tests build their own).
   */
  public static Synapse.Builder builder(String python) {
    return Synapse.builder().python(python).useInterpreterAsIs(true);
  }

  /** A pool builder whose workers run on {@code python} itself, as {@link #builder} does. */
  public static SynapsePool.Builder pool(String python) {
    return SynapsePool.builder().python(python).useInterpreterAsIs(true);
  }

  /**
   * The directory of pysynapse's own test workers ({@code python/tests/workers}); its {@code
   * inputs.py} serves the input-stream tests of both sides.
   */
  public static Path pythonTestWorkers() {
    String root = System.getProperty("synapse.test.workers", "../python/tests/workers");
    Path dir = Path.of(root).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("No test workers in " + dir);
    }
    return dir;
  }

  /** The directory of the fixture module {@code name}. */
  public static Path module(String name) {
    String root = System.getProperty("synapse.test.fixtures", "src/test/python");
    Path dir = Path.of(root, name).toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("No fixture module " + dir);
    }
    return dir;
  }
}
