package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler placed a job on named nodes (all of them at once); node i runs with NODE_RANK=i. Only the node agents
 * of the named nodes act on it.
 *
 * @param attempt   1 for the first placement, +1 each time the job is requeued and placed again (optional: absent in
 *                  records from before it existed); run reports and stops name it so a late report of an old attempt
 *                  never counts for the new one
 * @param addresses optional, parallel to {@code nodes}: each node's address as its agent announced it (rank 0's is
 *                  {@code MASTER_ADDR})
 * @param ports     optional, parallel to {@code nodes}: each node's rendezvous port as its agent announced it (rank
 *                  0's is {@code MASTER_PORT}; every node's is its TF_CONFIG port)
 */
public record JobAssigned(
        String jobId,
        String cluster,
        List<String> nodes,
        JobSpec spec,
        Integer attempt,
        List<String> addresses,
        List<Integer> ports,
        Instant at) {
    public JobAssigned {
        nodes = nodes == null ? List.of() : List.copyOf(nodes); // absent in a bad record: EventRules refuses it
        addresses = addresses == null ? null : List.copyOf(addresses);
        ports = ports == null ? null : List.copyOf(ports);
    }

    /** An assignment without node addresses. */
    public JobAssigned(String jobId, String cluster, List<String> nodes, JobSpec spec, Integer attempt, Instant at) {
        this(jobId, cluster, nodes, spec, attempt, null, null, at);
    }
}
