package dev.synapse.cli;

import dev.synapse.internal.env.PreparedInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a successful {@code synapse prepare} leaves in the venv so that the {@code synapse} launcher
 * script can answer the next, warm prepare with the same arguments without starting a JVM. Two
 * files, both replaced atomically:
 *
 * <ul>
 *   <li>{@value #SUMS}: a {@code sha256sum --check} list of every file the venv's stamp depends on:
 *       the requirements file and the files it includes, the venv's {@code pyvenv.cfg} and the
 *       stamp itself (so that any prepare or spawn that changed the venv since, with whatever
 *       settings, invalidates the record);
 *   <li>{@value #FACTS}: one fact a line: the format, the venv's path, the {@code --python} value
 *       as given, the interpreter file it was found as and that file's identity (device, inode,
 *       size, modification second, as {@code stat -L -c '%d %i %s %Y'} prints them), the arguments
 *       after the module directory, and the line a warm prepare prints.
 * </ul>
 *
 * <p>The launcher answers only when all of these are the same and the venv's interpreter runs;
 * whatever else happens (another argument, PATH finding another interpreter, a file edited, the
 * venv rebuilt or deleted) it runs the jar. A record is not written where the launcher could not
 * check it the same way: an interpreter that is a script (a pyenv shim runs whatever version its
 * settings say), another venv location, a system without {@code unix:} file attributes, arguments
 * or paths with line breaks or backslashes, or verbose output.
 */
final class PrepareRecord {
  static final String FACTS = "synapse-prepare.check";
  static final String SUMS = "synapse-prepare.sha256";
  private static final String FORMAT = "1";

  private PrepareRecord() {}

  /** Deletes the record of {@code venvDir}: the venv is about to be checked or changed. */
  static void forget(Path venvDir) {
    try {
      Files.deleteIfExists(venvDir.resolve(FACTS));
      Files.deleteIfExists(venvDir.resolve(SUMS));
    } catch (IOException e) {
      // The sums no longer match a changed venv anyway.
    }
  }

  /**
   * The record's files for a venv prepared from {@code inputs}, or empty where the launcher could
   * not check it as the jar would.
   *
   * @param requested the {@code --python} value as given, or null
   * @param arguments the command line's arguments after the module directory
   * @param answer what a warm prepare prints
   */
  static Optional<Map<String, String>> describe(
      Path venvDir,
      PreparedInputs inputs,
      String requested,
      List<String> arguments,
      String answer) {
    if (!inputs.interpreterIsBinary()) {
      return Optional.empty();
    }
    try {
      StringBuilder sums = new StringBuilder();
      for (Path file : inputs.requirementFiles()) {
        sums.append(sumLine(file));
      }
      sums.append(sumLine(venvDir.resolve("pyvenv.cfg")));
      sums.append(sumLine(venvDir.resolve(inputs.stampFile())));
      StringBuilder facts = new StringBuilder();
      facts.append(line("format", FORMAT));
      facts.append(line("venv", venvDir.toString()));
      if (requested != null) {
        facts.append(line("requested", requested));
      }
      facts.append(line("located", inputs.interpreter().toString()));
      facts.append(line("identity", identity(inputs.interpreter())));
      for (String argument : arguments) {
        facts.append(line("arg", argument));
      }
      facts.append(line("answer", answer));
      return Optional.of(Map.of(SUMS, sums.toString(), FACTS, facts.toString()));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Writes {@code files} (from {@link #describe}) into {@code venvDir}: sums first, facts last. */
  static void write(Path venvDir, Map<String, String> files) throws IOException {
    writeAtomically(venvDir.resolve(SUMS), files.get(SUMS));
    writeAtomically(venvDir.resolve(FACTS), files.get(FACTS));
  }

  private static String line(String key, String value) {
    requirePlain(value);
    return key + " " + value + "\n";
  }

  private static String sumLine(Path file) throws IOException {
    String path = file.toAbsolutePath().toString();
    requirePlain(path);
    if (path.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("sha256sum would escape " + path);
    }
    return sha256(Files.readAllBytes(file)) + "  " + path + "\n";
  }

  private static void requirePlain(String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a line break in " + value);
    }
  }

  /** Device, inode, size and modification second of the file {@code located} leads to. */
  private static String identity(Path located) throws IOException {
    Path real = located.toRealPath();
    Map<String, Object> unix = Files.readAttributes(real, "unix:dev,ino,size,lastModifiedTime");
    long seconds = ((FileTime) unix.get("lastModifiedTime")).to(TimeUnit.SECONDS);
    return unix.get("dev") + " " + unix.get("ino") + " " + unix.get("size") + " " + seconds;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void writeAtomically(Path target, String content) throws IOException {
    Path temporary = Files.createTempFile(target.getParent(), ".synapse-prepare-", ".tmp");
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
      }
      Files.writeString(temporary, content, StandardCharsets.UTF_8);
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
