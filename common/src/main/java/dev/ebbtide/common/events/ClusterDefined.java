package dev.ebbtide.common.events;

import dev.ebbtide.common.azureml.ClusterSpec;
import java.time.Instant;

/** A cluster was defined or its policy changed. Topic {@link Topics#CLUSTERS} is compacted, keyed by name. */
public record ClusterDefined(ClusterSpec spec, Instant at) {
}
