package dev.synapse;

import java.util.Arrays;

/**
 * A MessagePack extension value that Synapse has no Java type for. It is passed through unchanged
 * in both directions.
 *
 * @param type the extension type code
 * @param data the extension's bytes; not copied, do not change it
 */
public record ExtensionValue(byte type, byte[] data) {
  @Override
  public boolean equals(Object other) {
    return other instanceof ExtensionValue that
        && type == that.type
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "ExtensionValue[type=" + type + ", " + data.length + " bytes]";
  }
}
