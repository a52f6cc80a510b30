package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A module's {@code requirements.txt} and the files it includes ({@code -r other.txt}, {@code -c
 * constraints.txt}, recursively), read once: one hash over all of them for the stamp, so that
 * editing an included file re-installs; whether it asks for anything at all, because running pip
 * costs about a second even when there is nothing to install; and the pip options the files set
 * themselves (an index, find-links, an editable install), which the caller logs.
 *
 * <p>An included path is resolved as pip does, relative to the file that includes it. It must stay
 * inside the module directory (after following symbolic links): Synapse reads and hashes it, and a
 * module should not depend on files outside its own directory. A file included twice, or in a
 * cycle, is read once.
 *
 * <p>The hash of a file that includes nothing is the SHA-256 of its bytes; with includes, it is the
 * SHA-256 over each file's path (relative to the module directory) and the hash of its bytes, in
 * the order pip reads them.
 *
 * @param path the requirements file
 * @param sha256 the hash in hex, or {@value #ABSENT} when there is no file
 * @param hasRequirements whether the file has a line that is not blank or a comment
 * @param includes the files read besides {@code path}, in reading order
 * @param fileOptions the pip options the files set, each as {@code option (file:line)}
 */
record RequirementsFile(
    Path path,
    String sha256,
    boolean hasRequirements,
    List<Path> includes,
    List<String> fileOptions) {
  static final String ABSENT = "absent";

  /** Options in a requirements file that choose where packages come from; logged when present. */
  private static final List<String> SOURCE_OPTIONS =
      List.of(
          "--index-url",
          "--extra-index-url",
          "-i",
          "--find-links",
          "-f",
          "--editable",
          "-e",
          "--trusted-host");

  private static final List<String> INCLUDE_OPTIONS =
      List.of("--requirement", "-r", "--constraint", "-c");

  RequirementsFile {
    includes = List.copyOf(includes);
    fileOptions = List.copyOf(fileOptions);
  }

  /**
   * Reads {@code path} and what it includes, which must lie inside {@code path}'s directory; a
   * missing file is an empty one with hash {@value #ABSENT}.
   *
   * @throws SpawnException if a file cannot be read, or an include is missing, a URL, or outside
   *     the module directory; the message names the including file and line
   */
  static RequirementsFile read(Path path) {
    Path file = path.toAbsolutePath().normalize();
    if (!Files.exists(file)) {
      return new RequirementsFile(path, ABSENT, false, List.of(), List.of());
    }
    Reader reader = new Reader(file.getParent());
    reader.visit(file, null);
    String text = new String(reader.contents.get(0), StandardCharsets.UTF_8);
    String hash = reader.files.size() == 1 ? sha256(reader.contents.get(0)) : reader.combinedHash();
    return new RequirementsFile(
        path,
        hash,
        hasRequirementLine(text),
        reader.files.subList(1, reader.files.size()),
        reader.options);
  }

  static boolean hasRequirementLine(String text) {
    return logicalLines(text).stream().anyMatch(line -> !line.text().isBlank());
  }

  /** One line as pip sees it: continuations joined, the comment cut off, stripped. */
  private record Line(int number, String text) {}

  private static List<Line> logicalLines(String text) {
    List<Line> lines = new ArrayList<>();
    StringBuilder joined = new StringBuilder();
    int number = 0;
    int first = 1;
    for (String raw : text.split("\r?\n", -1)) {
      number++;
      if (joined.length() == 0) {
        first = number;
      }
      if (raw.endsWith("\\")) {
        joined.append(raw, 0, raw.length() - 1);
        continue;
      }
      joined.append(raw);
      lines.add(new Line(first, withoutComment(joined.toString()).strip()));
      joined.setLength(0);
    }
    if (joined.length() > 0) {
      lines.add(new Line(first, withoutComment(joined.toString()).strip()));
    }
    return lines;
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

  /**
   * The value of {@code option} if {@code line} starts with it ({@code -r x}, {@code -rx}, {@code
   * --requirement x}, {@code --requirement=x}), an empty string for an option without its value, or
   * null if the line is not that option.
   */
  static String optionValue(String line, String option) {
    if (!line.startsWith(option)) {
      return null;
    }
    String rest = line.substring(option.length());
    boolean longOption = option.startsWith("--");
    if (rest.isEmpty()) {
      return "";
    }
    if (Character.isWhitespace(rest.charAt(0))) {
      return rest.strip();
    }
    if (longOption) {
      return rest.startsWith("=") ? rest.substring(1).strip() : null;
    }
    return rest.strip();
  }

  /** Walks the files depth first, in pip's order, each once. */
  private static final class Reader {
    private final Path moduleDir;
    private final Path realModuleDir;
    private final Set<Path> seen = new HashSet<>();
    final List<Path> files = new ArrayList<>();
    final List<byte[]> contents = new ArrayList<>();
    final List<String> options = new ArrayList<>();

    Reader(Path moduleDir) {
      this.moduleDir = moduleDir;
      this.realModuleDir = realPath(moduleDir, null);
    }

    void visit(Path file, String includedAt) {
      Path real = realPath(file, includedAt);
      if (!real.startsWith(realModuleDir)) {
        throw outside(file, includedAt, "through a symbolic link");
      }
      if (!seen.add(real)) {
        return;
      }
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new SpawnException("Cannot read " + file + ": " + IoErrors.reason(e), e);
      }
      files.add(file);
      contents.add(content);
      String name = moduleDir.relativize(file).toString();
      for (Line line : logicalLines(new String(content, StandardCharsets.UTF_8))) {
        String where = name + ":" + line.number();
        for (String option : SOURCE_OPTIONS) {
          if (optionValue(line.text(), option) != null) {
            options.add(option + " (" + where + ")");
            break;
          }
        }
        for (String option : INCLUDE_OPTIONS) {
          String value = optionValue(line.text(), option);
          if (value != null) {
            visit(include(file, value, where), where);
            break;
          }
        }
      }
    }

    private Path include(Path from, String value, String where) {
      if (value.isEmpty()) {
        throw new SpawnException(where + ": an include option without a file name");
      }
      if (value.contains("://")) {
        throw new SpawnException(
            where
                + " includes the URL "
                + value
                + "; Synapse hashes what a requirements file includes, so that a change"
                + " re-installs, and reads only files inside the module directory "
                + moduleDir);
      }
      Path target = from.getParent().resolve(value).normalize();
      if (!target.startsWith(moduleDir)) {
        throw outside(target, where, "");
      }
      if (!Files.isRegularFile(target)) {
        throw new SpawnException(where + " includes " + target + ", which does not exist");
      }
      return target;
    }

    private SpawnException outside(Path target, String where, String how) {
      return new SpawnException(
          where
              + " includes "
              + target
              + ", which is outside the module directory "
              + moduleDir
              + (how.isEmpty() ? "" : " (" + how + ")")
              + "; Synapse hashes what a requirements file includes, so that a change"
              + " re-installs, and reads only files inside the module directory: copy it there");
    }

    String combinedHash() {
      StringBuilder summary = new StringBuilder();
      for (int i = 0; i < files.size(); i++) {
        summary
            .append(moduleDir.relativize(files.get(i)))
            .append('\0')
            .append(sha256(contents.get(i)))
            .append('\n');
      }
      return sha256(summary.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Path realPath(Path file, String includedAt) {
      try {
        return file.toRealPath();
      } catch (NoSuchFileException e) {
        throw new SpawnException(
            (includedAt == null ? "" : includedAt + " includes ") + file + ", which does not exist",
            e);
      } catch (IOException e) {
        throw new SpawnException("Cannot read " + file + ": " + IoErrors.reason(e), e);
      }
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform has SHA-256", e);
    }
  }
}
