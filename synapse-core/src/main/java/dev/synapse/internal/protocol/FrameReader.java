package dev.synapse.internal.protocol;

import dev.synapse.FrameTooLargeException;
import dev.synapse.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads length-prefixed frames (4-byte unsigned little-endian length, then the body) from a
 * worker's stdout. The length is checked against the maximum before the body is allocated. Not
 * thread-safe: one reader thread owns it.
 */
public final class FrameReader {
  /**
   * The most asked of the stream in one read. The JDK reads a file descriptor through a native
   * buffer as large as the request, allocated for every read; with a 64 MiB request that costs more
   * than the copy itself, since a pipe delivers at most 64 KiB at a time anyway.
   */
  private static final int SLICE = 64 * 1024;

  /** Frames at least this long that end in a binary value are read split, see {@link #read()}. */
  static final int SPLIT_AT = 1024 * 1024;

  private final InputStream in;
  private final int maxFrameBytes;
  private final byte[] header = new byte[4];
  private Boolean envelopeAnswers; // null: split nothing (the protocol is not known yet)

  /** Reads from {@code in}, refusing frames longer than {@code maxFrameBytes}. */
  public FrameReader(InputStream in, int maxFrameBytes) {
    this.in = in;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * From now on, splits large answers of the envelope protocol ({@code [type, id, bin]}) or, if not
   * {@code envelope}, of the seed protocol (a bare binary value); see {@link #read()}.
   */
  public void splitAnswers(boolean envelope) {
    this.envelopeAnswers = envelope;
  }

  /**
   * Reads the next frame's body. Once {@link #splitAnswers} was called, a body of at least {@link
   * #SPLIT_AT} bytes that is an answer ending in one binary value ({@link TrailingBinary}) comes
   * split, with the value's bytes in an array of their own.
   *
   * @return the body, or {@code null} when the stream ended cleanly between frames
   * @throws OutputEndedInsideFrame if the stream ends inside a frame
   * @throws ProtocolException if the stream announces an oversized frame
   * @throws IOException if reading fails
   */
  public InboundFrame read() throws IOException {
    int got = readFully(header, 0, 4);
    if (got == 0) {
      return null;
    }
    if (got < 4) {
      throw new OutputEndedInsideFrame(
          "The worker's output ended inside a frame header (" + got + " of 4 bytes)");
    }
    long length =
        (header[0] & 0xFFL)
            | (header[1] & 0xFFL) << 8
            | (header[2] & 0xFFL) << 16
            | (header[3] & 0xFFL) << 24;
    if (length > maxFrameBytes) {
      FrameTooLargeException cause =
          new FrameTooLargeException("A frame from the worker", length, maxFrameBytes);
      throw new ProtocolException(
          cause.getMessage()
              + " (header bytes "
              + hex(header)
              + "; is something printing to the frame stream?)",
          cause);
    }
    if (length < SPLIT_AT || envelopeAnswers == null) {
      byte[] body = new byte[(int) length];
      fill(body, 0, 0, length);
      return InboundFrame.whole(body);
    }
    byte[] start = new byte[TrailingBinary.LONGEST_HEAD];
    fill(start, 0, 0, length);
    int headLength = TrailingBinary.headLength(start, length, envelopeAnswers);
    if (headLength < 0) {
      byte[] body = Arrays.copyOf(start, (int) length);
      fill(body, start.length, start.length, length);
      return InboundFrame.whole(body);
    }
    byte[] binary = new byte[(int) (length - headLength)];
    int early = start.length - headLength; // the value's first bytes, read together with the head
    System.arraycopy(start, headLength, binary, 0, early);
    fill(binary, early, start.length, length);
    return new InboundFrame(Arrays.copyOf(start, headLength), binary);
  }

  /**
   * Reads {@code part} full from index {@code from} on, which is byte {@code position} of a body of
   * {@code length} bytes.
   */
  private void fill(byte[] part, int from, long position, long length) throws IOException {
    int read = readFully(part, from, part.length - from);
    if (read < part.length - from) {
      throw new OutputEndedInsideFrame(
          "The worker's output ended inside a frame ("
              + (position + read)
              + " of "
              + length
              + " bytes)");
    }
  }

  private int readFully(byte[] buffer, int offset, int length) throws IOException {
    int total = 0;
    while (total < length) {
      int n = in.read(buffer, offset + total, Math.min(SLICE, length - total));
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(String.format("%02x", b));
    }
    return text.toString();
  }
}
