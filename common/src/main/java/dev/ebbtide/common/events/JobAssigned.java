package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler placed a job on named nodes (all of them at once); node i runs with NODE_RANK=i.
 *
 * @param attempt 1 for the first placement, +1 each time the job is requeued and placed again (optional: absent in
 *                records from before it existed); run reports and stops name it so a late report of an old attempt
 *                never counts for the new one
 */
public record JobAssigned(String jobId, String cluster, List<String> nodes, JobSpec spec, Integer attempt, Instant at) {
    public JobAssigned {
        nodes = List.copyOf(nodes);
    }
}
