package dev.synapse.internal.env;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a warm {@link PythonEnvironment#prepare} decides on besides the venv's own files, found out
 * without starting a process: the interpreter the settings name and the requirements files it
 * hashes. {@code synapse prepare} records them, so that its launcher can tell that nothing changed
 * without starting a JVM.
 *
 * @param interpreter the interpreter file the settings name, as {@link PythonEnvironment#prepare}
 *     locates it
 * @param interpreterIsBinary whether that file is a binary: a script (a pyenv shim) may run another
 *     interpreter while it stays the same file
 * @param requirementFiles the requirements file and every file it includes, absolute
 * @param stampFile the stamp's file name inside the venv
 */
public record PreparedInputs(
    Path interpreter, boolean interpreterIsBinary, List<Path> requirementFiles, String stampFile) {

  public PreparedInputs {
    requirementFiles = List.copyOf(requirementFiles);
  }

  /**
   * The inputs of a prepare with {@code spec}.
   *
   * @throws dev.synapse.SpawnException as {@link PythonEnvironment#prepare} does for a missing
   *     interpreter or a bad include
   */
  public static PreparedInputs of(EnvironmentSpec spec) {
    Path located = InterpreterLocator.locate(spec.basePython());
    RequirementsFile requirements = RequirementsFile.read(spec.requirementsFile());
    List<Path> files = new ArrayList<>();
    files.add(spec.requirementsFile());
    files.addAll(requirements.includes());
    return new PreparedInputs(
        located, KnownBase.fingerprint(located) != null, files, VenvStamp.FILE);
  }
}
