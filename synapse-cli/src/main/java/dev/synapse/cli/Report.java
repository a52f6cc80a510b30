package dev.synapse.cli;

import java.io.PrintStream;

/** The lines of {@code synapse doctor}: each check's result, and for a problem its fix. */
final class Report {
  private final PrintStream out;
  private int problems;
  private int notes;

  Report(PrintStream out) {
    this.out = out;
  }

  void ok(String what) {
    out.println("ok       " + what);
  }

  /** Not a failure of the spawn, but something to know or to do first. */
  void note(String what, String fix) {
    notes++;
    out.println("note     " + what);
    out.println("         fix: " + fix);
  }

  /** Something that fails a spawn. */
  void problem(String what, String fix) {
    problems++;
    out.println("PROBLEM  " + what);
    out.println("         fix: " + fix);
  }

  /** Prints the verdict; returns the exit status (0 only without problems). */
  int summary() {
    if (problems == 0) {
      out.println("A spawn would succeed" + (notes == 0 ? "." : " (" + notes + " note(s) above)."));
      return 0;
    }
    out.println(problems + " problem(s): a spawn would fail.");
    return SynapseCommand.FAILED;
  }
}
