package dev.ebbtide.common.events;

import dev.ebbtide.common.azureml.ClusterSpec;
import java.time.Instant;

/**
 * A cluster was defined or its policy changed. Topic {@link Topics#CLUSTERS} is compacted, keyed by name.
 *
 * @param policy the scaling policy's name ({@code fixed-idle}, {@code adaptive}); null = the autoscaler's default
 */
public record ClusterDefined(ClusterSpec spec, String policy, Instant at) {}
