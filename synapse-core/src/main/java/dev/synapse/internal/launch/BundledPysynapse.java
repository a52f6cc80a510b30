package dev.synapse.internal.launch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of the {@code pysynapse} package as this library ships them (from its jar, or from the
 * class path's directory in a build), by file name: the reference a copy on disk is checked
 * against.
 */
final class BundledPysynapse {
  private static final String RESOURCE_DIR = "pysynapse";

  private final Map<String, byte[]> files;

  private BundledPysynapse(Map<String, byte[]> files) {
    this.files = Collections.unmodifiableMap(files);
  }

  /** Reads the package's {@code .py} files from the library's resources. */
  static BundledPysynapse read() throws IOException {
    URL init = BundledPysynapse.class.getResource(RESOURCE_DIR + "/__init__.py");
    if (init == null) {
      throw new IOException("pysynapse/__init__.py is missing from the library's resources");
    }
    URI uri;
    try {
      uri = init.toURI();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if (!"jar".equals(uri.getScheme())) {
      return new BundledPysynapse(readFiles(Path.of(uri).getParent()));
    }
    FileSystem jar;
    boolean opened = false;
    try {
      jar = FileSystems.newFileSystem(uri, Map.of());
      opened = true;
    } catch (FileSystemAlreadyExistsException e) {
      jar = FileSystems.getFileSystem(uri);
    }
    try {
      return new BundledPysynapse(readFiles(jar.provider().getPath(uri).getParent()));
    } finally {
      if (opened) {
        jar.close();
      }
    }
  }

  /** The package's files by name, sorted by name. */
  Map<String, byte[]> files() {
    return files;
  }

  /** A short hash of every file's name and content, which names a copy of this version. */
  String versionHash() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        digest.update(file.getValue());
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Map<String, byte[]> readFiles(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path file : (Iterable<Path>) entries::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".py")) {
          try (InputStream in = Files.newInputStream(file)) {
            files.put(name, in.readAllBytes());
          }
        }
      }
    }
    return files;
  }
}
