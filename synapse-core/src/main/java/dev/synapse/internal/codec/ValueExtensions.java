package dev.synapse.internal.codec;

import dev.synapse.ValueExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The {@link ValueExtension}s on the class or module path, loaded once, on first use: encoding a
 * value of no built-in type is rare and converting an extension value rarer, so a program that uses
 * neither never runs a {@link ServiceLoader}.
 */
final class ValueExtensions {
  private final List<ValueExtension> all;
  private final Map<Byte, ValueExtension> byCode;

  private ValueExtensions(List<ValueExtension> all) {
    this.all = List.copyOf(all);
    Map<Byte, ValueExtension> codes = new HashMap<>();
    for (ValueExtension extension : all) {
      byte code = extension.code();
      if (code < 0 || code == NDArrayCodec.EXT_TYPE) {
        throw new IllegalStateException(
            "The value extension "
                + extension.getClass().getName()
                + " uses the extension code "
                + code
                + ", which is taken (0 and 2 to 127 are free)");
      }
      ValueExtension before = codes.putIfAbsent(code, extension);
      if (before != null) {
        throw new IllegalStateException(
            "Two value extensions use the extension code "
                + code
                + ": "
                + before.getClass().getName()
                + " and "
                + extension.getClass().getName());
      }
    }
    this.byCode = Map.copyOf(codes);
  }

  private static volatile ValueExtensions loaded;

  /**
   * The extensions, loaded on the first call.
   *
   * @throws IllegalStateException if one cannot be loaded or two share a code (again on every call,
   *     so the failure is not hidden behind a class-initialization error)
   */
  static ValueExtensions get() {
    ValueExtensions current = loaded;
    if (current == null) {
      synchronized (ValueExtensions.class) {
        current = loaded;
        if (current == null) {
          current = load();
          loaded = current;
        }
      }
    }
    return current;
  }

  private static ValueExtensions load() {
    Map<Class<?>, ValueExtension> found = new LinkedHashMap<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      collect(ServiceLoader.load(ValueExtension.class, context), found);
    }
    collect(ServiceLoader.load(ValueExtension.class, ValueExtension.class.getClassLoader()), found);
    return new ValueExtensions(new ArrayList<>(found.values()));
  }

  private static void collect(
      ServiceLoader<ValueExtension> loader, Map<Class<?>, ValueExtension> found) {
    try {
      for (ValueExtension extension : loader) {
        found.putIfAbsent(extension.getClass(), extension);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "A value extension could not be loaded: " + e.getMessage(), e);
    }
  }

  /** The extension that writes {@code value}, or null. */
  ValueExtension encoderOf(Object value) {
    for (ValueExtension extension : all) {
      if (extension.encodes(value)) {
        return extension;
      }
    }
    return null;
  }

  /** The extension of {@code code} if it decodes to {@code type}, or null. */
  ValueExtension decoderOf(byte code, Class<?> type) {
    ValueExtension extension = byCode.get(code);
    return extension != null && extension.decodesTo(type) ? extension : null;
  }
}
