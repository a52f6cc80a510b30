package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A module's {@code requirements.txt}, read once: its hash, for the stamp, and whether it asks for
 * anything at all, because running pip costs about a second even when there is nothing to install.
 *
 * <p>Only this file is hashed: a change in a file it includes ({@code -r other.txt}, {@code -c
 * constraints.txt}) is not seen until this one changes too.
 *
 * @param path the file
 * @param sha256 its SHA-256 in hex, or {@value #ABSENT} when there is no file
 * @param hasRequirements whether it has a line that is not blank or a comment
 */
record RequirementsFile(Path path, String sha256, boolean hasRequirements) {
  static final String ABSENT = "absent";

  /** Reads {@code path}; a missing file is an empty one with hash {@value #ABSENT}. */
  static RequirementsFile read(Path path) {
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new RequirementsFile(path, ABSENT, false);
    } catch (IOException e) {
      throw new SpawnException("Cannot read " + path + ": " + e.getMessage(), e);
    }
    return new RequirementsFile(
        path, sha256(content), hasRequirementLine(new String(content, StandardCharsets.UTF_8)));
  }

  static boolean hasRequirementLine(String text) {
    return text.lines().map(RequirementsFile::withoutComment).anyMatch(line -> !line.isBlank());
  }

  /** pip's rule: a comment starts a line or follows whitespace. */
  private static String withoutComment(String line) {
    if (line.stripLeading().startsWith("#")) {
      return "";
    }
    int hash = line.indexOf(" #");
    int tabHash = line.indexOf("\t#");
    int cut = hash < 0 ? tabHash : tabHash < 0 ? hash : Math.min(hash, tabHash);
    return cut < 0 ? line : line.substring(0, cut);
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform has SHA-256", e);
    }
  }
}
