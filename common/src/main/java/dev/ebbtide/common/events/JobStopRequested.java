package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler asks the nodes of one attempt of a job to stop its command (the job was canceled, or one of its nodes
 * was lost and it goes back to the queue). Each node then reports {@code EXITED}; a stop that arrives before its
 * assignment makes the node reject that assignment.
 */
public record JobStopRequested(
        String jobId, String cluster, List<String> nodes, Integer attempt, String reason, Instant at) {
    public JobStopRequested {
        nodes = nodes == null ? List.of() : List.copyOf(nodes); // absent in a bad record: EventRules refuses it
    }
}
