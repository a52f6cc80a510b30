/**
 * Synapse: call Python modules from Java as long-lived worker processes.
 *
 * <p>Only {@code dev.synapse} is API; everything under {@code dev.synapse.internal} may change
 * without notice.
 */
module dev.synapse {
  requires msgpack.core;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive org.slf4j;

  exports dev.synapse;
}
