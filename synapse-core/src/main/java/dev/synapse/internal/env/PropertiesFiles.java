package dev.synapse.internal.env;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The small properties files Synapse keeps in a venv, read and written in UTF-8; a write is atomic
 * (a temporary file moved over the old one), so a reader in another process sees the old file or
 * the whole new one.
 */
final class PropertiesFiles {
  private PropertiesFiles() {}

  /**
   * @throws IllegalArgumentException for a malformed escape in the file
   */
  static Properties read(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    return properties;
  }

  static void writeAtomically(Path file, Properties properties, String comment) throws IOException {
    StringWriter text = new StringWriter();
    properties.store(text, comment);
    Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try {
      try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
        writer.write(text.toString());
      }
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
