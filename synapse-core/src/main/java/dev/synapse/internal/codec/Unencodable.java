package dev.synapse.internal.codec;

import dev.synapse.EncodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries an encoding problem up the value tree, collecting on the way the path to it and the
 * containers it passed through; only then, so the success path pays nothing for either. The
 * containers tell a value that contains itself from one that is merely too deep: both end at the
 * depth limit, and only the first meets the same container twice on the way back.
 */
final class Unencodable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Paths with more segments than this show their first and last ones only. */
  private static final int LONGEST_PATH = 24;

  private final String problem;
  private final String advice;
  private final boolean tooDeep;
  private final List<String> segments = new ArrayList<>(); // innermost first
  private final List<Object> containers = new ArrayList<>(); // segments[i] is inside containers[i]

  private Unencodable(String problem, String advice, boolean tooDeep) {
    super(problem, null, false, false);
    this.problem = problem;
    this.advice = advice;
    this.tooDeep = tooDeep;
  }

  /** Something at the place the exception is thrown has no form the worker could decode. */
  static Unencodable because(String problem) {
    return new Unencodable(problem, null, false);
  }

  /** As {@link #because(String)}, with what would be accepted, said after the path. */
  static Unencodable because(String problem, String advice) {
    return new Unencodable(problem, advice, false);
  }

  /** A container is nested deeper than {@link ValueCodec#MAX_DEPTH}. */
  static Unencodable tooDeep() {
    return new Unencodable(
        "a value nested deeper than " + ValueCodec.MAX_DEPTH + " levels",
        "that is the limit of both sides",
        true);
  }

  /** Prepends the segment that leads to the problem from inside {@code container}. */
  Unencodable under(String segment, Object container) {
    segments.add(segment);
    if (tooDeep) {
      containers.add(container);
    }
    return this;
  }

  EncodingException toEncodingException() {
    if (tooDeep) {
      EncodingException cycle = cycle();
      if (cycle != null) {
        return cycle;
      }
    }
    return new EncodingException(
        "Cannot encode "
            + problem
            + " at "
            + path(segments.size(), 0)
            + (advice == null ? "" : ": " + advice));
  }

  /** The outermost container that contains itself, and the nearest place it does so. */
  private EncodingException cycle() {
    for (int outer = containers.size() - 1; outer > 0; outer--) {
      for (int inner = outer - 1; inner >= 0; inner--) {
        if (containers.get(outer) == containers.get(inner)) {
          return new EncodingException(
              "Cannot encode a value that contains itself: "
                  + path(segments.size(), inner + 1)
                  + " is the same object as "
                  + path(segments.size(), outer + 1)
                  + ", which holds it");
        }
      }
    }
    return null;
  }

  /** The path down to (not into) the container of segment {@code end - 1}, from segment count. */
  private String path(int count, int end) {
    int length = count - end;
    StringBuilder path = new StringBuilder("$");
    for (int i = count - 1; i >= end; i--) {
      int fromStart = count - 1 - i;
      if (length > LONGEST_PATH && fromStart == LONGEST_PATH / 2) {
        int skipped = length - LONGEST_PATH;
        path.append("...(").append(skipped).append(" levels)...");
        i -= skipped - 1;
        continue;
      }
      path.append(segments.get(i));
    }
    return path.toString();
  }
}
