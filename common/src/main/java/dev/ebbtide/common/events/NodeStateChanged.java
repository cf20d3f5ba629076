package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A node changed state. Published by the provisioner (the only writer), from the cloud and the node's agent.
 * {@code jobId} is set while the node runs a job.
 *
 * @param address optional: the address the node's agent announced (set from {@code idle} on)
 * @param port    optional: the rendezvous port the node's agent announced
 */
public record NodeStateChanged(
        String cluster,
        String node,
        NodeState state,
        NodeState previous,
        String jobId,
        String reason,
        String address,
        Integer port,
        Instant at) {

    /** A state change without the agent's address. */
    public NodeStateChanged(
            String cluster, String node, NodeState state, NodeState previous, String jobId, String reason, Instant at) {
        this(cluster, node, state, previous, jobId, reason, null, null, at);
    }
}
