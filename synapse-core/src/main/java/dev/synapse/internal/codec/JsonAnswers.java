package dev.synapse.internal.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code forceJsonParse} option of the original library: an answer that is a string holding
 * JSON becomes the same Java types a MessagePack answer would have (maps keep their order, whole
 * numbers are {@code Long} or {@code BigInteger}, others {@code Double}).
 */
public final class JsonAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(JsonAnswers.class);
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private JsonAnswers() {}

  /**
   * Parses {@code answer} if it is a string of JSON. Any other answer, and a string that is not
   * JSON, is returned unchanged; the latter with a warning, as the original library did.
   */
  public static Object parse(Object answer) {
    if (!(answer instanceof String text)) {
      return answer;
    }
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      LOG.warn(
          "forceJsonParse: the answer is not JSON, returning it as a string ({})",
          e.getOriginalMessage());
      return answer;
    }
  }
}
