package dev.ebbtide.core.placement;

import java.util.List;
import java.util.Objects;

/**
 * Start a job now on these nodes.
 *
 * @param jobId the job
 * @param nodes the node names in rank order (rank 0 first); as many as the job needs
 */
public record Start(String jobId, List<String> nodes) {
    public Start {
        Objects.requireNonNull(jobId, "jobId");
        nodes = List.copyOf(nodes);
    }
}
