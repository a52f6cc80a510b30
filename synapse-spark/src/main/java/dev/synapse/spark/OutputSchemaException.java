package dev.synapse.spark;

import dev.synapse.SynapseException;

/**
 * The batches a Python function returned do not match the output schema declared for it: a column
 * is missing, extra, renamed, of another type, or holds nulls where none are allowed. It fails the
 * task; {@link #column()} names the column.
 */
public class OutputSchemaException extends SynapseException {
  private static final long serialVersionUID = 1L;

  private final String column;

  /** Creates the exception for {@code column} (null when the mismatch is the column count). */
  public OutputSchemaException(String column, String message) {
    super(message);
    this.column = column;
  }

  /** The column that does not match, or null when the number of columns differs. */
  public String column() {
    return column;
  }
}
