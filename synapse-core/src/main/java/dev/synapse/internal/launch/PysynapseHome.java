package dev.synapse.internal.launch;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@code pysynapse} package that ships inside this library's jar, copied once per version to a
 * directory that goes first on every worker's {@code PYTHONPATH}, so that a module can {@code
 * import pysynapse} without any pip install.
 *
 * <p>The directory's name carries a hash of the package's files: two library versions never share
 * one, and a directory that exists is complete, since it is written under a temporary name and
 * moved into place. The package in it holds a marker file, {@value #EXTRACTED_MARKER}, by which a
 * worker knows the copy is Synapse's to write Python's bytecode cache into even when {@code
 * PYTHONDONTWRITEBYTECODE} is set (see pysynapse's bootstrap).
 */
public final class PysynapseHome {
  /** The file that marks the extracted package as Synapse's. */
  public static final String EXTRACTED_MARKER = ".extracted-by-synapse";

  private static final String RESOURCE_DIR = "pysynapse";
  private static volatile Path home;

  private PysynapseHome() {}

  /** The directory holding {@code pysynapse/}, extracting it on first use. */
  public static Path directory() {
    Path found = home;
    if (found == null) {
      synchronized (PysynapseHome.class) {
        found = home;
        if (found == null) {
          found = extract();
          home = found;
        }
      }
    }
    return found;
  }

  private static Path extract() {
    try {
      Map<String, byte[]> files = readPackage();
      Path target =
          Path.of(System.getProperty("java.io.tmpdir"), "synapse-pysynapse-" + hash(files));
      if (Files.isDirectory(target.resolve(RESOURCE_DIR))) {
        return target;
      }
      Path staging = Files.createTempDirectory(target.getParent(), "synapse-pysynapse-staging-");
      Path packageDir = Files.createDirectory(staging.resolve(RESOURCE_DIR));
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(packageDir.resolve(file.getKey()), file.getValue());
      }
      Files.writeString(
          packageDir.resolve(EXTRACTED_MARKER),
          "This copy of pysynapse was unpacked by Synapse; workers write its bytecode cache.\n");
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isDirectory(target.resolve(RESOURCE_DIR))) {
          throw raced;
        }
        deleteTree(staging);
      }
      return target;
    } catch (IOException | UncheckedIOException e) {
      throw new SpawnException("Cannot unpack the bundled pysynapse package: " + e.getMessage(), e);
    }
  }

  private static Map<String, byte[]> readPackage() throws IOException {
    URL init = PysynapseHome.class.getResource(RESOURCE_DIR + "/__init__.py");
    if (init == null) {
      throw new IOException("pysynapse/__init__.py is missing from the library's resources");
    }
    URI uri;
    try {
      uri = init.toURI();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if ("jar".equals(uri.getScheme())) {
      FileSystem jar;
      boolean opened = false;
      try {
        jar = FileSystems.newFileSystem(uri, Map.of());
        opened = true;
      } catch (FileSystemAlreadyExistsException e) {
        jar = FileSystems.getFileSystem(uri);
      }
      try {
        return readFiles(jar.provider().getPath(uri).getParent());
      } finally {
        if (opened) {
          jar.close();
        }
      }
    }
    return readFiles(Path.of(uri).getParent());
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

  private static String hash(Map<String, byte[]> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        digest.update(file.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update(file.getValue());
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path :
          (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
