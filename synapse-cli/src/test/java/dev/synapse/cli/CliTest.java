package dev.synapse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.cli.CliProcess.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code synapse} jar run as a real process ({@code java -jar}), as a Dockerfile or CI job runs
 * it: exit codes, stdout and stderr. Real venvs, pip offline with a wheel built for the test.
 */
@Timeout(180)
class CliTest {
  static final Path TINY_WHEEL =
      Path.of(System.getProperty("synapse.cli.tinyWheel", "../scripts/tiny-wheel.py"));

  @TempDir Path root;
  Path wheels;
  Path module;

  @BeforeEach
  void module() throws Exception {
    wheels = root.resolve("wheels");
    CliProcess.exec(List.of("python3", TINY_WHEEL.toString(), wheels.toString(), "tinypkg", "1.0"));
    module = Files.createDirectories(root.resolve("mod"));
    Files.writeString(module.resolve("requirements.txt"), "tinypkg==1.0\n");
    Files.writeString(
        module.resolve("main.py"),
        String.join(
            "\n",
            "import sys, pysynapse, tinypkg",
            "def add(p): return p['a'] + p['b']",
            "def value(p): return tinypkg.VALUE",
            "def blob(p): return {'raw': b'\\x00\\xffhi', 'big': 2**64 - 1}",
            "def boom(p): raise ValueError('bad input ' + repr(p))",
            "def count(n):",
            "    for i in range(n):",
            "        print('made', i, file=sys.stderr)",
            "        yield {'i': i}",
            "pysynapse.serve({'add': add, 'value': value, 'blob': blob, 'boom': boom,"
                + " 'count': count})",
            ""));
  }

  private List<String> pipOffline() {
    return List.of("--isolated", "--no-index", "--find-links", wheels.toString());
  }

  @Test
  void prepare_createsTheVenvWithPlainProgress_thenIsUpToDate_andCallUsesIt() throws Exception {
    List<String> prepare = new ArrayList<>(List.of("prepare", module.toString()));
    prepare.addAll(pipOffline());

    Run cold = synapse(prepare);

    assertThat(cold.exitCode()).as(cold.toString()).isZero();
    assertThat(cold.out())
        .contains("Creating the virtual environment " + module.resolve(".venv"))
        .contains("CREATING_VENV took ")
        .contains("pip: ")
        .contains("Successfully installed tinypkg-1.0")
        .contains("INSTALLING took ")
        .doesNotContain("\r");
    assertThat(cold.out().strip()).endsWith(module.resolve(".venv/bin/python").toString());

    Run warm = synapse(prepare);
    assertThat(warm.exitCode()).isZero();
    assertThat(warm.out().strip()).isEqualTo("Up to date: " + module.resolve(".venv/bin/python"));

    List<String> call = new ArrayList<>(List.of("call", module.toString()));
    pipOffline().forEach(argument -> call.add("--pip=" + argument));
    call.addAll(List.of("value", "null"));
    Run value = synapse(call);
    assertThat(value.exitCode()).as(value.toString()).isZero();
    assertThat(value.out().strip()).isEqualTo("\"tinypkg-1.0\"");
  }

  @Test
  void prepare_whosePipFails_exitsOneWithPipsReason() throws Exception {
    Files.writeString(module.resolve("requirements.txt"), "missingpkg==9\n");
    List<String> prepare = new ArrayList<>(List.of("prepare", module.toString()));
    prepare.addAll(pipOffline());

    Run run = synapse(prepare);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("synapse prepare: pip could not install " + module.resolve("requirements.txt"))
        .contains("No matching distribution found for missingpkg==9");
  }

  @Test
  void call_printsJson_bytesInTheStatedForm_andPythonErrorsAsTracebacks() throws Exception {
    Run add =
        synapse(List.of("call", "--as-is", module.toString(), "add", "{\"a\": 2, \"b\": 40}"));
    assertThat(add.exitCode()).as(add.toString()).isEqualTo(1);
    assertThat(add.err()).contains("ModuleNotFoundError: No module named 'tinypkg'");

    Files.writeString(module.resolve("requirements.txt"), "");
    Files.writeString(
        module.resolve("main.py"),
        Files.readString(module.resolve("main.py"))
            .replace("import sys, pysynapse, tinypkg", "import sys, pysynapse"));

    add = synapse(List.of("call", "--as-is", module.toString(), "add", "{\"a\": 2, \"b\": 40}"));
    assertThat(add.exitCode()).as(add.toString()).isZero();
    assertThat(add.out().strip()).isEqualTo("42");

    Run blob = synapse(List.of("call", "--as-is", module.toString(), "blob", "null"));
    assertThat(blob.out().strip())
        .isEqualTo("{\"raw\":{\"$bytes\":\"AP9oaQ==\"},\"big\":18446744073709551615}");

    Run boom = synapse(List.of("call", "--as-is", module.toString(), "boom", "[1]"));
    assertThat(boom.exitCode()).isEqualTo(1);
    assertThat(boom.out()).isEmpty();
    assertThat(boom.err())
        .startsWith("Traceback (most recent call last):")
        .contains("in boom")
        .endsWith("ValueError: bad input [1]\n");

    Run notJson = synapse(List.of("call", "--as-is", module.toString(), "add", "{a:"));
    assertThat(notJson.exitCode()).isEqualTo(2);
    assertThat(notJson.err()).startsWith("synapse call: the input is not JSON: ");

    Run missing = synapse(List.of("call", "--as-is", module.toString(), "nope", "1"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("nope");
  }

  @Test
  void callStream_printsOneJsonLinePerItem_andTheWorkersOutputGoesToStderr() throws Exception {
    Files.writeString(module.resolve("requirements.txt"), "");
    Files.writeString(
        module.resolve("main.py"),
        Files.readString(module.resolve("main.py"))
            .replace("import sys, pysynapse, tinypkg", "import sys, pysynapse"));

    Run run = synapse(List.of("call", "--as-is", "--stream", module.toString(), "count", "3"));

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines()).containsExactly("{\"i\":0}", "{\"i\":1}", "{\"i\":2}");
    assertThat(run.err()).contains("made 0", "made 2");
  }

  @Test
  void doctor_passesForAPreparedModule_andFailsWithTheFixForAnOldPython() throws Exception {
    List<String> prepare = new ArrayList<>(List.of("prepare", module.toString()));
    prepare.addAll(pipOffline());
    assertThat(synapse(prepare).exitCode()).isZero();
    List<String> doctor = new ArrayList<>(List.of("doctor", module.toString()));
    pipOffline().forEach(argument -> doctor.add("--pip=" + argument));

    Run healthy = synapse(doctor);
    assertThat(healthy.exitCode()).as(healthy.toString()).isZero();
    assertThat(healthy.out())
        .contains("ok       interpreter ")
        .contains("venv " + module.resolve(".venv") + " is up to date")
        .contains("pysynapse codec on " + module.resolve(".venv/bin/python") + ": ")
        .contains("shared-memory directory /dev/shm")
        .contains("free disk at ")
        .contains("A spawn would succeed.");

    Files.writeString(module.resolve("requirements.txt"), "tinypkg==1.0\n# changed\n");
    Run stale = synapse(doctor);
    assertThat(stale.exitCode()).isZero();
    assertThat(stale.out())
        .contains("note     venv " + module.resolve(".venv") + " is stale: the requirements")
        .contains("fix: run `synapse prepare`");

    Path old = Path.of("/root/.pyenv/versions/3.7.16/bin/python3.7");
    assertThat(old).isExecutable();
    Run tooOld = synapse(List.of("doctor", module.toString(), "--python", old.toString()));
    assertThat(tooOld.exitCode()).isEqualTo(1);
    assertThat(tooOld.out())
        .contains(
            "PROBLEM  The Python interpreter "
                + old
                + " is Python 3.7.16; Synapse needs"
                + " Python 3.8 or later")
        .contains("fix: ")
        .contains("1 problem(s): a spawn would fail.");

    Run noModule = synapse(List.of("doctor", root.resolve("nothing").toString()));
    assertThat(noModule.exitCode()).isEqualTo(1);
    assertThat(noModule.out()).contains("PROBLEM  module directory " + root.resolve("nothing"));
  }

  @Test
  void usageErrors_exitTwoWithTheUsage() throws Exception {
    Run none = synapse(List.of());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("Missing a command").contains("Usage: synapse");

    Run noInput = synapse(List.of("call", module.toString()));
    assertThat(noInput.exitCode()).isEqualTo(2);
    assertThat(noInput.err()).contains("Missing required parameter");
  }

  private Run synapse(List<String> arguments) throws IOException, InterruptedException {
    return CliProcess.jar(root, arguments);
  }
}
