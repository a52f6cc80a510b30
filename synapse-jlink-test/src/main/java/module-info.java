/** A modular application that uses Synapse, linked into a run-time image by the build. */
module dev.synapse.jlinkcheck {
  requires dev.synapse;
}
