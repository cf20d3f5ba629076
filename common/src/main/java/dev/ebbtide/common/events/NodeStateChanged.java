package dev.ebbtide.common.events;

import java.time.Instant;

/** A node changed state. Published by the provisioner. {@code jobId} is set while the node runs a job. */
public record NodeStateChanged(String cluster, String node, NodeState state, NodeState previous, String jobId,
        String reason, Instant at) {
}
