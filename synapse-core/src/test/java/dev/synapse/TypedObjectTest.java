package dev.synapse;

import static dev.synapse.testing.Fixtures.PLAIN_PYTHON;
import static dev.synapse.testing.Fixtures.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.synapse.testing.Fixtures;
import dev.synapse.testing.NoLeaks;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records and POJOs as inputs and answers, through a real worker. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class TypedObjectTest {
  record Point(int x, int y) {}

  record Track(String name, Instant started, List<Point> points) {}

  /** A classic JavaBean: no-argument constructor, getters and setters. */
  public static final class Sample {
    private String label;
    private double value;

    public String getLabel() {
      return label;
    }

    public void setLabel(String label) {
      this.label = label;
    }

    public double getValue() {
      return value;
    }

    public void setValue(double value) {
      this.value = value;
    }
  }

  private static Synapse echo() {
    Synapse synapse = Fixtures.builder(PLAIN_PYTHON).build();
    synapse.spawn(module("toolbox"), "main");
    return synapse;
  }

  @Test
  void recordsRoundTrip_andPythonSeesDicts() throws Exception {
    Track track =
        new Track(
            "run",
            Instant.parse("2025-05-01T06:00:00Z"),
            List.of(new Point(1, 2), new Point(3, 4)));
    try (Synapse synapse = echo()) {
      assertThat(synapse.invoke("echo", track, Track.class)).isEqualTo(track);
      assertThat(synapse.invoke("echo", track))
          .isEqualTo(
              Map.of(
                  "name",
                  "run",
                  "started",
                  track.started(),
                  "points",
                  List.of(Map.of("x", 1L, "y", 2L), Map.of("x", 3L, "y", 4L))));
      assertThat(
              synapse.invoke("echo", List.of(new Point(5, 6)), new TypeReference<List<Point>>() {}))
          .containsExactly(new Point(5, 6));
      assertThat(
              synapse.invokeAsync("echo", new Point(7, 8), Point.class).get(10, TimeUnit.SECONDS))
          .isEqualTo(new Point(7, 8));
    }
  }

  @Test
  void pojosRoundTrip() {
    Sample sample = new Sample();
    sample.setLabel("a");
    sample.setValue(2.5);
    try (Synapse synapse = echo()) {
      Sample back = synapse.invoke("echo", sample, Sample.class);
      assertThat(back.getLabel()).isEqualTo("a");
      assertThat(back.getValue()).isEqualTo(2.5);
    }
  }

  @Test
  void mismatchedAnswer_namesTheFieldAndTheType_andTheWorkerStaysUsable() {
    try (Synapse synapse = echo()) {
      assertThatThrownBy(() -> synapse.invoke("echo", Map.of("x", 1), Point.class))
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("TypedObjectTest$Point")
          .hasMessageContaining("'y'");
      assertThatThrownBy(() -> synapse.invoke("echo", Map.of("x", "one", "y", 2), Point.class))
          .isInstanceOf(SynapseException.class)
          .hasMessageContaining("\"x\"");
      assertThat(synapse.invoke("echo", 1)).isEqualTo(1L);
    }
  }
}
