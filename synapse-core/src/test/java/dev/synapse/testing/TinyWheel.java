package dev.synapse.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a pure-Python wheel for the tests, since PyPI is out of reach: package {@code NAME} whose
 * {@code __init__.py} sets {@code VALUE = "NAME-VERSION"}, with the metadata pip needs and a RECORD
 * that lists every file with its real hash and size (pip checks them).
 */
public final class TinyWheel {
  private TinyWheel() {}

  /** Writes {@code NAME-VERSION-py3-none-any.whl} into {@code directory} and returns it. */
  public static Path build(Path directory, String name, String version) throws IOException {
    String distInfo = name + "-" + version + ".dist-info/";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(name + "/__init__.py", "VALUE = \"" + name + "-" + version + "\"\n");
    files.put(
        distInfo + "METADATA",
        "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n");
    files.put(
        distInfo + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: synapse-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    for (Map.Entry<String, String> file : files.entrySet()) {
      byte[] bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
      record
          .append(file.getKey())
          .append(",sha256=")
          .append(hash(bytes))
          .append(',')
          .append(bytes.length)
          .append('\n');
    }
    record.append(distInfo).append("RECORD,,\n");
    files.put(distInfo + "RECORD", record.toString());

    Files.createDirectories(directory);
    Path wheel = directory.resolve(name + "-" + version + "-py3-none-any.whl");
    try (OutputStream out = Files.newOutputStream(wheel);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return wheel;
  }

  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
