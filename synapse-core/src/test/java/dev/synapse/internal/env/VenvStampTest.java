package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VenvStampTest {
  @TempDir Path venv;

  private static final VenvStamp STAMP =
      new VenvStamp(
          "/usr/bin/python3",
          "cpython-3.11.2",
          "/m/.venv",
          true,
          false,
          "ab12",
          List.of("--find-links", "/w heels=x", "--index-url", "http://h/#é\nline"));

  @Test
  void writtenStamp_readsBackEqual() throws Exception {
    STAMP.write(venv);

    assertThat(VenvStamp.read(venv)).contains(STAMP);
    try (var files = Files.list(venv)) {
      assertThat(files).containsExactly(venv.resolve(VenvStamp.FILE));
    }
  }

  @Test
  void missingOrDamagedStamp_readsAsNone() throws Exception {
    assertThat(VenvStamp.read(venv)).isEmpty();
    Files.writeString(venv.resolve(VenvStamp.FILE), "format=1\nbase.executable=/x\n");
    assertThat(VenvStamp.read(venv)).isEmpty();
    Files.writeString(venv.resolve(VenvStamp.FILE), "format=99\n");
    assertThat(VenvStamp.read(venv)).isEmpty();
  }

  @Test
  void incompleteMark_replacesTheStamp_readsAsNone_butShowsSynapseWasHere() throws Exception {
    assertThat(VenvStamp.present(venv)).isFalse();
    STAMP.write(venv);
    VenvStamp.markIncomplete(venv);

    assertThat(VenvStamp.read(venv)).isEmpty();
    assertThat(VenvStamp.present(venv)).isTrue();
    try (var files = Files.list(venv)) {
      assertThat(files).containsExactly(venv.resolve(VenvStamp.FILE));
    }
  }

  @Test
  void sameVenv_comparesTheVenvFields() {
    assertThat(STAMP.sameVenv(STAMP)).isTrue();
    assertThat(STAMP.sameVenv(venv("/usr/bin/python3.12", "cpython-3.11.2", "/m/.venv", true)))
        .isFalse();
    assertThat(STAMP.sameVenv(venv("/usr/bin/python3", "cpython-3.11.4", "/m/.venv", true)))
        .isFalse();
    assertThat(STAMP.sameVenv(venv("/usr/bin/python3", "cpython-3.11.2", "/n/.venv", true)))
        .isFalse();
    assertThat(STAMP.sameVenv(venv("/usr/bin/python3", "cpython-3.11.2", "/m/.venv", false)))
        .isFalse();
    assertThat(STAMP.sameVenv(venv("/usr/bin/python3", "cpython-3.11.2", "/m/.venv", true)))
        .isTrue();
    assertThat(STAMP.sameVenv(STAMP.withVenvPip(true)))
        .as("a venv without pip cannot serve one that needs it")
        .isFalse();
    assertThat(STAMP.withVenvPip(true).sameVenv(STAMP))
        .as("a venv with pip serves one that needs none")
        .isTrue();
  }

  private static VenvStamp venv(
      String base, String version, String path, boolean systemSitePackages) {
    return new VenvStamp(
        base, version, path, systemSitePackages, false, "other", List.of("--other"));
  }

  @Test
  void sameInstall_comparesRequirementsAndPipArguments() {
    assertThat(STAMP.sameInstall(STAMP.withVenvPip(true))).isTrue();
    assertThat(
            STAMP.sameInstall(
                new VenvStamp(
                    "/usr/bin/python3",
                    "cpython-3.11.2",
                    "/m/.venv",
                    true,
                    false,
                    "cd34",
                    STAMP.pipArguments())))
        .isFalse();
    assertThat(
            STAMP.sameInstall(
                new VenvStamp(
                    "/usr/bin/python3",
                    "cpython-3.11.2",
                    "/m/.venv",
                    true,
                    false,
                    "ab12",
                    List.of())))
        .isFalse();
  }
}
