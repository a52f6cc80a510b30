package dev.synapse.internal.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a venv was last successfully brought up to date with, stored in the venv as {@value #FILE}.
 * The original library trusted any existing {@code .venv}, so a changed requirements file was never
 * installed and a failed install was never retried; the stamp is written only after every step
 * succeeded and is replaced by an incomplete mark ({@link #markIncomplete}) before any step starts,
 * so a venv with the mark is of unknown content, and one with no stamp file was not made by
 * Synapse.
 *
 * <p>The fields split in two: those of the venv itself (which interpreter built it, where, with or
 * without system site-packages and a pip of its own), whose change means re-creating it, and those
 * of the install (the requirements' hash, the pip arguments), whose change means re-installing.
 *
 * @param baseExecutable the base interpreter's {@code sys.executable}
 * @param baseVersion the base interpreter's implementation and version
 * @param venvPath the venv's absolute path (a venv that was moved or copied is not relocatable)
 * @param systemSitePackages whether it sees the base interpreter's site-packages
 * @param venvPip whether it was created with a pip of its own
 * @param requirementsSha256 {@link RequirementsFile#sha256()}: the requirements and their includes
 * @param pipArguments the extra pip arguments of the install
 */
record VenvStamp(
    String baseExecutable,
    String baseVersion,
    String venvPath,
    boolean systemSitePackages,
    boolean venvPip,
    String requirementsSha256,
    List<String> pipArguments) {

  static final String FILE = "synapse-stamp.properties";
  private static final String FORMAT = "1";

  VenvStamp {
    pipArguments = List.copyOf(pipArguments);
  }

  /**
   * Whether a venv stamped with this can serve as the venv {@code wanted} describes without being
   * re-created; a venv with a pip of its own serves one that needs none.
   */
  boolean sameVenv(VenvStamp wanted) {
    return baseExecutable.equals(wanted.baseExecutable)
        && baseVersion.equals(wanted.baseVersion)
        && venvPath.equals(wanted.venvPath)
        && systemSitePackages == wanted.systemSitePackages
        && (venvPip || !wanted.venvPip);
  }

  /** Whether the install this records is the one {@code wanted} asks for. */
  boolean sameInstall(VenvStamp wanted) {
    return requirementsSha256.equals(wanted.requirementsSha256)
        && pipArguments.equals(wanted.pipArguments);
  }

  VenvStamp withVenvPip(boolean hasPip) {
    return new VenvStamp(
        baseExecutable,
        baseVersion,
        venvPath,
        systemSitePackages,
        hasPip,
        requirementsSha256,
        pipArguments);
  }

  /**
   * The stamp in {@code venvDir}; empty if there is none or it cannot be read (then it is stale
   * anyway).
   */
  static Optional<VenvStamp> read(Path venvDir) {
    Properties properties;
    try {
      properties = PropertiesFiles.read(venvDir.resolve(FILE));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!FORMAT.equals(properties.getProperty("format"))) {
      return Optional.empty();
    }
    try {
      int count = Integer.parseInt(properties.getProperty("pip.arguments", ""));
      List<String> arguments = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        arguments.add(required(properties, "pip.argument." + i));
      }
      return Optional.of(
          new VenvStamp(
              required(properties, "base.executable"),
              required(properties, "base.version"),
              required(properties, "venv.path"),
              Boolean.parseBoolean(required(properties, "venv.system-site-packages")),
              Boolean.parseBoolean(required(properties, "venv.pip")),
              required(properties, "requirements.sha256"),
              arguments));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes the stamp into {@code venvDir} atomically: a reader sees the old file or the whole new
   * one.
   */
  void write(Path venvDir) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("format", FORMAT);
    properties.setProperty("base.executable", baseExecutable);
    properties.setProperty("base.version", baseVersion);
    properties.setProperty("venv.path", venvPath);
    properties.setProperty("venv.system-site-packages", Boolean.toString(systemSitePackages));
    properties.setProperty("venv.pip", Boolean.toString(venvPip));
    properties.setProperty("requirements.sha256", requirementsSha256);
    properties.setProperty("pip.arguments", Integer.toString(pipArguments.size()));
    for (int i = 0; i < pipArguments.size(); i++) {
      properties.setProperty("pip.argument." + i, pipArguments.get(i));
    }
    store(
        venvDir,
        properties,
        "Written by Synapse after the venv was brought up to date; delete it to force a re-install");
  }

  /**
   * Replaces the stamp with a mark that Synapse is changing this venv, before any step that changes
   * it: a venv whose steps did not all finish has this mark (it is re-created), and only a venv
   * with no stamp file at all is one that Synapse did not make (it may be adopted).
   */
  static void markIncomplete(Path venvDir) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("format", FORMAT);
    properties.setProperty("state", "incomplete");
    store(venvDir, properties, "Synapse is changing this venv, or a change did not finish");
  }

  /** Whether {@code venvDir} has a stamp file, complete or not: Synapse has worked on it. */
  static boolean present(Path venvDir) {
    return Files.exists(venvDir.resolve(FILE));
  }

  private static void store(Path venvDir, Properties properties, String comment)
      throws IOException {
    PropertiesFiles.writeAtomically(venvDir.resolve(FILE), properties, comment);
  }

  private static String required(Properties properties, String key) {
    String value = properties.getProperty(key);
    if (value == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return value;
  }
}
