package dev.synapse;

import java.util.Objects;
import org.slf4j.event.Level;

/**
 * One line that a worker wrote to stderr.
 *
 * @param module the module's entrypoint name, e.g. {@code main}
 * @param level the level of a Python {@code logging} record; {@link Level#INFO} for plain output
 *     such as {@code print()} or a C extension's writes
 * @param logger the Python logger's name, or empty for plain output
 * @param text the line without its level prefix and line break
 */
public record LogLine(String module, Level level, String logger, String text) {
  /** Checks that no component is null. */
  public LogLine {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(logger, "logger");
    Objects.requireNonNull(text, "text");
  }
}
