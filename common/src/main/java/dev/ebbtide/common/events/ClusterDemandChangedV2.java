package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A cluster's demand, bounded whatever the depth of its queue ({@code dev.ebbtide.cluster.demand-changed.v2}).
 * Replaces v1 ({@link ClusterDemandChanged}), which listed the whole queue in every event (O(queue) JSON per batch and
 * over Kafka's 1 MB record limit near 8,000 queued jobs) and showed only jobs still queued, so a job placed at once on
 * a warm node was never seen as an arrival.
 *
 * @param cluster     the cluster
 * @param queueHead   the first queued jobs in placement order, at most {@link #HEAD} of them
 * @param queuedJobs  how many jobs are queued (not yet started) in all
 * @param nodesNeeded the nodes all queued jobs need together
 * @param bySize      the queued jobs counted by the nodes each needs, smallest size first
 * @param busyNodes   nodes the scheduler has given to jobs (assigned or running); the autoscaler never removes them
 * @param arrivals    every job that entered this cluster's queue since the previous demand event of this cluster,
 *                    including jobs placed at once (the autoscaler's arrival history; at most one batch's worth)
 * @param at          when the scheduler computed it
 */
public record ClusterDemandChangedV2(
        String cluster,
        List<QueuedJob> queueHead,
        int queuedJobs,
        int nodesNeeded,
        List<JobsOfSize> bySize,
        List<String> busyNodes,
        List<Arrival> arrivals,
        Instant at) {

    /** How many queued jobs {@link #queueHead} lists at most. */
    public static final int HEAD = 20;

    /** {@code jobs} queued jobs that need {@code nodes} nodes each. */
    public record JobsOfSize(int nodes, int jobs) {}

    /** One job that entered the cluster's queue: its id, the nodes it asks for and when it was submitted. */
    public record Arrival(String jobId, int nodes, Instant submittedAt) {}

    public ClusterDemandChangedV2 {
        Objects.requireNonNull(cluster, "cluster");
        queueHead = queueHead == null ? List.of() : List.copyOf(queueHead);
        bySize = bySize == null ? List.of() : List.copyOf(bySize);
        busyNodes = busyNodes == null ? List.of() : List.copyOf(busyNodes);
        arrivals = arrivals == null ? List.of() : List.copyOf(arrivals);
    }
}
