package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KnownBaseTest {
  @TempDir Path root;

  @Test
  void answerIsRecalledForTheSameFile_andForgottenWhenTheFileChanges() throws Exception {
    Path venv = Files.createDirectories(root.resolve("venv"));
    Path binary = executable("python3", "\u007fELF not really, but not a script either");
    BaseInterpreter base = new BaseInterpreter(binary, "cpython-3.11.7", "23.2.1");

    KnownBase.remember(venv, binary, base);
    assertThat(KnownBase.recall(venv, binary)).contains(base);
    assertThat(KnownBase.recall(venv, root.resolve("other"))).isEmpty();

    Files.setLastModifiedTime(binary, FileTime.fromMillis(1_000));
    assertThat(KnownBase.recall(venv, binary)).as("upgraded in place").isEmpty();
  }

  @Test
  void scripts_likePyenvShims_areNeverRemembered() throws Exception {
    Path venv = Files.createDirectories(root.resolve("venv"));
    Path shim = executable("shim", "#!/bin/sh\nexec python3 \"$@\"\n");

    assertThat(KnownBase.fingerprint(shim)).isNull();
    KnownBase.remember(venv, shim, new BaseInterpreter(shim, "cpython-3.11.7", ""));
    assertThat(venv.resolve(KnownBase.FILE)).doesNotExist();
    assertThat(KnownBase.recall(venv, shim)).isEmpty();
  }

  @Test
  void warmPrepare_inANewJvm_startsNoProcess() throws Exception {
    Path base =
        BaseInterpreter.identify(InterpreterLocator.locate(null), new ProcessRunner()).executable();
    Path dir = Modules.module(root, "warm", "");
    EnvironmentSpec spec = EnvironmentSpec.of(dir).withBasePython(base.toString());
    PythonEnvironment.prepare(spec, EnvironmentProgress.NONE, new RecordingRunner());
    assertThat(dir.resolve(".venv").resolve(KnownBase.FILE)).exists();

    assertThat(KnownBase.recall(dir.resolve(".venv"), base))
        .as("what a new JVM, which has not probed this file, finds")
        .hasValueSatisfying(known -> assertThat(known.executable()).isEqualTo(base));
  }

  private Path executable(String name, String content) throws Exception {
    Path file = Files.writeString(root.resolve(name), content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }
}
