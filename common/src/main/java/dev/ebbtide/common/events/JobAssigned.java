package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/** The scheduler placed a job on named nodes (all of them at once); node i runs with NODE_RANK=i. */
public record JobAssigned(String jobId, String cluster, List<String> nodes, JobSpec spec, Instant at) {
    public JobAssigned {
        nodes = List.copyOf(nodes);
    }
}
