package dev.synapse.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synapse.SpawnException;
import dev.synapse.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled pysynapse is unpacked to a private directory and checked before use: a copy that
 * someone planted or changed is replaced, never run.
 */
@Timeout(60)
class PysynapseHomeTest {
  @TempDir Path temp;

  /** What a planted package does when it is imported: leaves a file behind. */
  private String plantedCode(Path marker) {
    return "open(" + pythonString(marker) + ", 'w').write('planted code ran')\n";
  }

  private static String pythonString(Path path) {
    return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** Imports pysynapse from {@code copy} in a real interpreter, as a worker would. */
  private static void importPysynapse(Path copy) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Fixtures.PLAIN_PYTHON, "-c", "import pysynapse, pysynapse._server; print('ok')")
            .redirectErrorStream(true);
    builder.environment().put("PYTHONPATH", copy.toString());
    Process run = builder.start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).isEqualTo("ok\n");
  }

  /** A copy at the place {@code root}'s copy goes, with the real files plus {@code change}. */
  private Path plantCopy(Path root, String mode, String initContent) throws IOException {
    Path good = PysynapseHome.unpack(root);
    Path planted = temp.resolve("planted");
    Files.createDirectories(planted.resolve("pysynapse"));
    try (Stream<Path> files = Files.list(good.resolve("pysynapse"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file)) {
          Files.copy(file, planted.resolve("pysynapse").resolve(file.getFileName()));
        }
      }
    }
    if (initContent != null) {
      Files.writeString(planted.resolve("pysynapse/__init__.py"), initContent);
    }
    deleteTree(good);
    Files.move(planted, good);
    Files.setPosixFilePermissions(good, PosixFilePermissions.fromString(mode));
    return good;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path :
          (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }

  @Test
  void unpack_makesAnOwnerOnlyCopyThatImports() throws Exception {
    Path root = temp.resolve("home");

    Path copy = PysynapseHome.unpack(root);

    assertThat(copy.getParent()).isEqualTo(root);
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(copy)).isEqualTo("rwx------");
    assertThat(copy.resolve("pysynapse/" + PysynapseHome.EXTRACTED_MARKER)).isRegularFile();
    importPysynapse(copy);
    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);
  }

  @Test
  void unpack_replacesAPlantedCopy_whoseCodeNeverRuns() throws Exception {
    Path root = temp.resolve("home");
    Path marker = temp.resolve("planted-code-ran");
    Path planted = plantCopy(root, "rwxrwxrwx", plantedCode(marker));

    Path copy = PysynapseHome.unpack(root);

    assertThat(copy).isEqualTo(planted);
    assertThat(mode(copy)).isEqualTo("rwx------");
    assertThat(Files.readString(copy.resolve("pysynapse/__init__.py"))).doesNotContain("planted");
    importPysynapse(copy);
    assertThat(marker).doesNotExist();
  }

  @Test
  void unpack_replacesACopyWithPlantedContent_evenWithTheRightMode() throws Exception {
    Path root = temp.resolve("home");
    Path marker = temp.resolve("planted-code-ran");
    plantCopy(root, "rwx------", plantedCode(marker));

    Path copy = PysynapseHome.unpack(root);

    importPysynapse(copy);
    assertThat(marker).doesNotExist();
  }

  @Test
  void unpack_replacesACopyOpenToOthers_evenWithTheRightContent() throws Exception {
    Path root = temp.resolve("home");
    plantCopy(root, "rwxrwxrwx", null);

    assertThat(mode(PysynapseHome.unpack(root))).isEqualTo("rwx------");
  }

  @Test
  void unpack_replacesACopyWithAnExtraModule() throws Exception {
    Path root = temp.resolve("home");
    Path copy = PysynapseHome.unpack(root);
    Path extra = Files.writeString(copy.resolve("pysynapse/extra.py"), "print('planted')\n");

    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);

    assertThat(extra).doesNotExist();
  }

  @Test
  void unpack_replacesACopyWithAFileOfAnotherUser() throws Exception {
    assumeTrue(
        "root".equals(PrivateFiles.currentUser().getName()),
        "only root can give a file to another user");
    Path root = temp.resolve("home");
    Path copy = PysynapseHome.unpack(root);
    Path cache = Files.createDirectories(copy.resolve("pysynapse/__pycache__"));
    Path pyc = Files.writeString(cache.resolve("_server.cpython-311.pyc"), "not really");
    Files.setOwner(
        pyc, pyc.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);

    assertThat(pyc).doesNotExist();
  }

  @Test
  void unpack_keepsACopyWhoseInsideTheGroupMayWrite_asUnderUmask002() throws Exception {
    Path root = temp.resolve("home");
    Path copy = PysynapseHome.unpack(root);
    Path cache = Files.createDirectories(copy.resolve("pysynapse/__pycache__"));
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxr-x"));
    Path pyc = Files.writeString(cache.resolve("_server.cpython-311.pyc"), "compiled");
    Files.setPosixFilePermissions(pyc, PosixFilePermissions.fromString("rw-rw-r--"));

    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);

    assertThat(pyc).hasContent("compiled");
  }

  @Test
  void unpack_keepsTheBytecodeCacheThatWorkersWrote() throws Exception {
    Path root = temp.resolve("home");
    Path copy = PysynapseHome.unpack(root);
    Path cache = Files.createDirectories(copy.resolve("pysynapse/__pycache__"));
    Path pyc = Files.writeString(cache.resolve("_server.cpython-311.pyc"), "compiled");

    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);

    assertThat(pyc).hasContent("compiled");
  }

  @Test
  void unpack_replacesASymbolicLinkToACopyElsewhere() throws Exception {
    Path root = temp.resolve("home");
    Path copy = PysynapseHome.unpack(root);
    Path elsewhere = temp.resolve("elsewhere");
    Files.move(copy, elsewhere);
    Files.createSymbolicLink(copy, elsewhere);

    assertThat(PysynapseHome.unpack(root)).isEqualTo(copy);

    assertThat(Files.isSymbolicLink(copy)).isFalse();
    assertThat(copy).isDirectory();
  }

  @Test
  void unpack_refusesADirectoryOfAnotherUser() throws Exception {
    Path root;
    UserPrincipal me = PrivateFiles.currentUser();
    if ("root".equals(me.getName())) {
      root = Files.createDirectory(temp.resolve("theirs"));
      Files.setOwner(
          root,
          root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } else {
      root = Path.of("/"); // root's, and not this user's
    }
    Path refused = root;

    assertThatThrownBy(() -> PysynapseHome.unpack(refused))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith("Refusing to keep Synapse's copy of pysynapse in " + refused)
        .hasMessageContaining("it belongs to");
  }

  @Test
  void unpack_concurrently_allGetTheSameGoodCopy() throws Exception {
    Path root = temp.resolve("home");
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> copies = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        copies.add(
            pool.submit(
                () -> {
                  start.await();
                  return PysynapseHome.unpack(root);
                }));
      }
      start.countDown();
      Path first = copies.get(0).get(30, TimeUnit.SECONDS);
      for (Future<Path> copy : copies) {
        assertThat(copy.get(30, TimeUnit.SECONDS)).isEqualTo(first);
      }
      try (Stream<Path> left = Files.list(root)) {
        assertThat(left).containsExactly(first);
      }
      importPysynapse(first);
    } finally {
      pool.shutdownNow();
    }
  }
}
