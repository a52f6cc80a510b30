package dev.synapse;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Teaches Synapse a Java type that travels as a MessagePack extension value, so that an optional
 * module (such as {@code synapse-arrow}, ext code 2) can add value types without synapse-core
 * depending on it.
 *
 * <p><b>Finding extensions.</b> Synapse loads the implementations with {@link
 * java.util.ServiceLoader} the first time it encodes a value no built-in mapping takes, or converts
 * an {@link ExtensionValue} answer to a type that is not {@code ExtensionValue}: list the class in
 * {@code META-INF/services/dev.synapse.ValueExtension} (class path, automatic module) or declare
 * {@code provides dev.synapse.ValueExtension with ...} (named module). Both the context class
 * loader of the loading thread and Synapse's own class loader are searched. The set of extensions
 * is then fixed for the life of the class loader. Two extensions of one code make the first use
 * fail with {@link IllegalStateException}.
 *
 * <p><b>Encoding</b> (call inputs). A value that is none of the built-in types (see the README's
 * value table) is offered to each extension's {@link #encodes(Object)} before it would be taken as
 * a record or POJO; the first that accepts it writes its body with {@link #encode(Object)}.
 *
 * <p><b>Decoding</b> (answers). Answers are decoded on the worker's reader thread, which runs no
 * extension code: an extension value reaches the caller as an {@link ExtensionValue} holding its
 * bytes (an untyped {@code call} returns that). A typed call ({@code call(input, SomeType.class)},
 * {@code invoke}, {@code stream(function, input, SomeType.class)}) whose answer is an {@code
 * ExtensionValue} not already of the requested type asks the extension of its code whether it
 * {@link #decodesTo(Class) decodes to} that type and, if so, {@link #decode(byte[], Class) decodes}
 * it on the caller's thread. So an answer nobody asks for never costs more than its bytes on the
 * heap, and resources an extension allocates (off-heap memory) belong to the caller who asked for
 * them.
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor; their methods
 * run on the calling threads. {@link #code()} must be 0 or 2 to 127: code 1 (the ndarray) and the
 * negative codes (MessagePack's) are taken.
 */
public interface ValueExtension {
  /** The extension code this type travels under: 0 or 2 to 127, constant. */
  byte code();

  /**
   * Whether this extension writes {@code value}; called only for values that are none of the
   * built-in types.
   */
  boolean encodes(Object value);

  /**
   * The body of the extension value for {@code value}, one that {@link #encodes(Object)} accepted:
   * the bytes from the buffer's position to its limit, which Synapse does not change. They are read
   * when the call's frame is written, so the caller must not change them before the call returns.
   *
   * @throws IOException or {@link IllegalArgumentException} if {@code value} cannot be written; the
   *     call fails with {@link EncodingException} naming the value's place in the input and this
   *     exception's message
   */
  ByteBuffer encode(Object value) throws IOException;

  /** Whether {@link #decode(byte[], Class)} makes a {@code type} of this extension's values. */
  boolean decodesTo(Class<?> type);

  /**
   * Reads the body of an extension value of this {@link #code()} as a {@code type}, one that {@link
   * #decodesTo(Class)} accepted. The caller owns what comes back.
   *
   * @param body the extension's bytes; the method may keep them
   * @throws SynapseException (or a subclass) if the body is not a valid value of this code
   */
  <T> T decode(byte[] body, Class<T> type);
}
