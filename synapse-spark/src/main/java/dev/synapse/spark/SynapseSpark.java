package dev.synapse.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.SparkSession;

/**
 * Ships a Python module's directory with a Spark job, so that every executor has it: the directory
 * is zipped and added to the job as an archive ({@code SparkContext.addArchive}), which Spark
 * unpacks in each executor's work directory.
 *
 * <pre>{@code
 * PythonModule model = SynapseSpark.ship(spark, Path.of("scoring"), "scoring").build();
 * }</pre>
 *
 * <p>The archive leaves out the module's own venv ({@code .venv}) and {@code __pycache__}: each
 * node makes its venv from {@code requirements.txt}. Symbolic links are left out too, so that
 * nothing outside the directory is shipped. The zip is written to a new private temporary
 * directory.
 */
public final class SynapseSpark {
  private static final Set<String> LEFT_OUT = Set.of(".venv", "__pycache__", ".git");

  private SynapseSpark() {}

  /**
   * Zips {@code directory} and adds it to {@code spark}'s job as the archive {@code name}; returns
   * the builder of the shipped module (see {@link PythonModule#shipped}).
   *
   * @throws IllegalArgumentException if {@code directory} is not a directory or {@code name} is not
   *     a plain file name
   * @throws UncheckedIOException if the directory cannot be read or the zip written
   */
  public static PythonModule.Builder ship(SparkSession spark, Path directory, String name) {
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(directory, "directory");
    PythonModule.Builder module = PythonModule.shipped(name);
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("Not a directory: " + directory);
    }
    try {
      Path zip = Files.createTempDirectory("synapse-spark-").resolve(name + ".zip");
      zip(directory.toAbsolutePath().normalize(), zip);
      URI archive = zip.toUri();
      spark.sparkContext().addArchive(archive + "#" + name);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot ship the module " + directory, e);
    }
    return module;
  }

  private static void zip(Path directory, Path zip) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files =
          walk.filter(path -> !leftOut(directory.relativize(path)))
              .filter(Files::isRegularFile)
              .filter(path -> !Files.isSymbolicLink(path))
              .sorted()
              .toList();
    }
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream archive = new ZipOutputStream(out)) {
      for (Path file : files) {
        String entry = directory.relativize(file).toString().replace('\\', '/');
        archive.putNextEntry(new ZipEntry(entry));
        Files.copy(file, archive);
        archive.closeEntry();
      }
    }
  }

  private static boolean leftOut(Path relative) {
    for (Path part : relative) {
      if (LEFT_OUT.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }
}
