package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequirementsFileTest {
  @TempDir Path dir;

  @Test
  void commentsAndBlankLines_areNoRequirements() {
    assertThat(RequirementsFile.hasRequirementLine("")).isFalse();
    assertThat(
            RequirementsFile.hasRequirementLine(
                "# only a comment\n\n   \t\n  # indented comment\n"))
        .isFalse();
    assertThat(RequirementsFile.hasRequirementLine("msgpack==1.1.0  # the codec\n")).isTrue();
    assertThat(RequirementsFile.hasRequirementLine("-r other.txt\n")).isTrue();
    assertThat(RequirementsFile.hasRequirementLine("pkg @ https://host/pkg.whl#sha256=ab\n"))
        .isTrue();
  }

  @Test
  void file_isHashedByItsBytes() throws Exception {
    Path file = Files.writeString(dir.resolve("requirements.txt"), "abc");

    RequirementsFile read = RequirementsFile.read(file);

    assertThat(read.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(read.hasRequirements()).isTrue();
  }

  @Test
  void missingFile_isAbsentAndEmpty() {
    RequirementsFile read = RequirementsFile.read(dir.resolve("requirements.txt"));

    assertThat(read.sha256()).isEqualTo(RequirementsFile.ABSENT);
    assertThat(read.hasRequirements()).isFalse();
  }
}
