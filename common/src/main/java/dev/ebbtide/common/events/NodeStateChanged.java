package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A node changed state. Published by the provisioner (the only writer), from the cloud and the node's agent.
 * {@code jobId} is set while the node runs a job.
 *
 * @param address optional: the address the node's agent announced (set from {@code idle} on)
 * @param port    optional: the rendezvous port the node's agent announced
 * @param heldFor optional: the queued job whose gang unit the node was created for, while the unit is not all up
 * @param heldUntil optional: the unit's deadline; the node is given back then unless the unit is all up
 * @param size    optional: the VM size the node got (a fallback alternative may differ from the cluster's size)
 * @param tier    optional: the tier the node got, {@code dedicated} or {@code low_priority}
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
        Instant at,
        String heldFor,
        Instant heldUntil,
        String size,
        String tier) {

    /** Without gang or size facts. */
    public NodeStateChanged(
            String cluster,
            String node,
            NodeState state,
            NodeState previous,
            String jobId,
            String reason,
            String address,
            Integer port,
            Instant at) {
        this(cluster, node, state, previous, jobId, reason, address, port, at, null, null, null, null);
    }

    /** A state change without the agent's address. */
    public NodeStateChanged(
            String cluster, String node, NodeState state, NodeState previous, String jobId, String reason, Instant at) {
        this(cluster, node, state, previous, jobId, reason, null, null, at);
    }
}
