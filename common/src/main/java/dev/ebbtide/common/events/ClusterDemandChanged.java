package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * A cluster's queue changed. {@code queue} is in placement order; {@code busyNodes} are nodes the scheduler has
 * given to jobs (assigned or running), so the autoscaler never removes them.
 */
public record ClusterDemandChanged(
        String cluster, List<QueuedJob> queue, int nodesNeeded, List<String> busyNodes, Instant at) {
    public ClusterDemandChanged {
        queue = List.copyOf(queue);
        busyNodes = busyNodes == null ? List.of() : List.copyOf(busyNodes);
    }
}
