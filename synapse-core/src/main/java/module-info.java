/**
 * Synapse: call Python modules from Java as long-lived worker processes.
 *
 * <p>Only {@code dev.synapse} is API; everything under {@code dev.synapse.internal} may change
 * without notice.
 *
 * <p>msgpack-core is not a module of its own: it has no module name, so a module requiring it could
 * not be linked with {@code jlink}. The build compiles it into this module ({@code --patch-module})
 * and the jar carries it relocated under {@code dev.synapse.internal.msgpack}; its fast buffers use
 * {@code sun.misc.Unsafe}, hence {@code jdk.unsupported}.
 */
module dev.synapse {
  requires jdk.unsupported;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive org.slf4j;

  exports dev.synapse;

  uses dev.synapse.ValueExtension;
}
