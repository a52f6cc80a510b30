package dev.synapse;

/** The steps of a spawn, reported to {@link SynapseListener#onSpawnPhase}. */
public enum SpawnPhase {
  /** Creating the module's virtual environment with {@code python -m venv}. */
  CREATING_VENV,
  /** Installing {@code requirements.txt} with pip. */
  INSTALLING,
  /** Starting the worker process, until it answered its ready handshake. */
  STARTING,
  /** The spawn is complete; its time is that of the whole spawn, all steps included. */
  READY
}
