package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synapse.SpawnException;
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

  @Test
  void includes_areHashedWithTheirPaths_recursively_andCyclesEndAtTheFirstRepeat()
      throws Exception {
    Path main = Files.writeString(dir.resolve("requirements.txt"), "-r a.txt\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("a.txt"), "--requirement=sub/b.txt\n");
    Files.writeString(dir.resolve("sub/b.txt"), "pkg\n-c ../a.txt\n-r../requirements.txt\n");

    RequirementsFile first = RequirementsFile.read(main);
    assertThat(first.includes()).containsExactly(dir.resolve("a.txt"), dir.resolve("sub/b.txt"));

    Files.writeString(dir.resolve("sub/b.txt"), "pkg==2\n-c ../a.txt\n-r../requirements.txt\n");
    RequirementsFile edited = RequirementsFile.read(main);
    assertThat(edited.sha256()).isNotEqualTo(first.sha256());

    Files.move(dir.resolve("sub/b.txt"), dir.resolve("b.txt"));
    Files.writeString(dir.resolve("a.txt"), "--requirement=b.txt\n");
    Files.writeString(dir.resolve("b.txt"), "pkg==2\n-c a.txt\n-rrequirements.txt\n");
    assertThat(RequirementsFile.read(main).sha256())
        .as("the same contents under other paths")
        .isNotEqualTo(edited.sha256());
  }

  @Test
  void includes_outsideTheModule_asUrl_orMissing_areRefusedNamingTheLine() throws Exception {
    Path module = Files.createDirectories(dir.resolve("module"));
    Path main = module.resolve("requirements.txt");
    Files.writeString(dir.resolve("outside.txt"), "pkg\n");

    Files.writeString(main, "pkg\n  -c ../outside.txt  # pins\n");
    assertThatThrownBy(() -> RequirementsFile.read(main))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith(
            "requirements.txt:2 includes "
                + dir.resolve("outside.txt")
                + ", which is outside the module directory "
                + module
                + "; ");

    Files.createSymbolicLink(module.resolve("linked.txt"), dir.resolve("outside.txt"));
    Files.writeString(main, "-r linked.txt\n");
    assertThatThrownBy(() -> RequirementsFile.read(main))
        .isInstanceOf(SpawnException.class)
        .hasMessageContaining(
            "outside the module directory " + module + " (through a symbolic link)");

    Files.writeString(main, "-r https://example.org/requirements.txt\n");
    assertThatThrownBy(() -> RequirementsFile.read(main))
        .isInstanceOf(SpawnException.class)
        .hasMessageStartingWith(
            "requirements.txt:1 includes the URL https://example.org/requirements.txt;");

    Files.writeString(main, "pkg\n\n-r gone.txt\n");
    assertThatThrownBy(() -> RequirementsFile.read(main))
        .isInstanceOf(SpawnException.class)
        .hasMessage(
            "requirements.txt:3 includes " + module.resolve("gone.txt") + ", which does not exist");
  }

  @Test
  void sourceOptions_areListedWithFileAndLine_continuationsJoined() throws Exception {
    Path main =
        Files.writeString(
            dir.resolve("requirements.txt"),
            "-i https://index/simple\npkg \\\n  ==1.0\n-f ./wheels\n"
                + "--trusted-host index\n-e .\n--editable=git+https://h/r.git#egg=r\n"
                + "--extra-index-url https://x\n# --index-url in a comment\n");

    assertThat(RequirementsFile.read(main).fileOptions())
        .containsExactly(
            "-i (requirements.txt:1)",
            "-f (requirements.txt:4)",
            "--trusted-host (requirements.txt:5)",
            "-e (requirements.txt:6)",
            "--editable (requirements.txt:7)",
            "--extra-index-url (requirements.txt:8)");
  }
}
