package dev.synapse.internal.supervision;

import java.time.Duration;

/**
 * What a call asks of a worker, as its future keeps it.
 *
 * @param function the handler's name, or {@code null} for the module's only one
 * @param input the value sent (or the source of an input stream)
 * @param timeout zero for none
 * @param cancelGrace how long the worker may take to end the call once it was given up on; in a
 *     pool {@code null} for the workers' default
 */
public record CallTerms(String function, Object input, Duration timeout, Duration cancelGrace) {}
