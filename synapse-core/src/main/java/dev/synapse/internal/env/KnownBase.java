package dev.synapse.internal.env;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What the base interpreter of a venv answered when it was last probed, kept in the venv as {@value
 * #FILE}, so that a new JVM (a {@code synapse prepare} in a Dockerfile, a service that restarts)
 * finds an up-to-date venv by reading two small files instead of starting Python.
 *
 * <p>The answer is reused only while the file the settings name is the same file: same real path,
 * size and modification time. A script is never trusted this way (a pyenv shim stays the same file
 * while the version it runs changes), so a shim is probed once per JVM as before.
 */
final class KnownBase {
  static final String FILE = "synapse-base.properties";

  private KnownBase() {}

  /** The recorded answer for {@code located}, if it is still the same file. */
  static Optional<BaseInterpreter> recall(Path venvDir, Path located) {
    String fingerprint = fingerprint(located);
    if (fingerprint == null) {
      return Optional.empty();
    }
    Properties properties;
    try {
      properties = PropertiesFiles.read(venvDir.resolve(FILE));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    String executable = properties.getProperty("executable");
    String version = properties.getProperty("version");
    String pip = properties.getProperty("pip");
    if (!located.toString().equals(properties.getProperty("located"))
        || !fingerprint.equals(properties.getProperty("fingerprint"))
        || executable == null
        || version == null
        || pip == null
        || !Files.isExecutable(Path.of(executable))) {
      return Optional.empty();
    }
    return Optional.of(new BaseInterpreter(Path.of(executable), version, pip));
  }

  /** Records {@code base} as the answer of {@code located}; a failure only costs a later probe. */
  static void remember(Path venvDir, Path located, BaseInterpreter base) {
    String fingerprint = fingerprint(located);
    if (fingerprint == null) {
      return;
    }
    Properties properties = new Properties();
    properties.setProperty("located", located.toString());
    properties.setProperty("fingerprint", fingerprint);
    properties.setProperty("executable", base.executable().toString());
    properties.setProperty("version", base.version());
    properties.setProperty("pip", base.pipVersion());
    try {
      PropertiesFiles.writeAtomically(
          venvDir.resolve(FILE),
          properties,
          "What the base interpreter answered when Synapse last asked");
    } catch (IOException e) {
      // Not remembered: the next JVM probes again.
    }
  }

  /** Real path, size and modification time of a binary; null for a script or an unreadable file. */
  static String fingerprint(Path located) {
    try {
      Path real = located.toRealPath();
      try (InputStream in = Files.newInputStream(real)) {
        byte[] start = in.readNBytes(2);
        if (start.length == 2 && start[0] == '#' && start[1] == '!') {
          return null;
        }
      }
      return real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
    } catch (IOException e) {
      return null;
    }
  }
}
