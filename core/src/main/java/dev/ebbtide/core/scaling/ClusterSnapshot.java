package dev.ebbtide.core.scaling;

import java.util.List;
import java.util.Objects;

/**
 * What the scaling policy knows about one cluster.
 *
 * @param cluster      the cluster name
 * @param settings     its min, max and idle time
 * @param queuedDemand the queued (not yet started) jobs counted by the nodes each needs (bounded by the number of
 *                     distinct sizes, whatever the depth of the queue)
 * @param nodes        the cluster's nodes
 * @param inFlight     nodes requested from the cloud but not yet in {@code nodes}
 * @param backoff      an active or past back-off, or {@code null}
 * @param arrivals     what the cluster's past arrivals tell the policies ({@link ArrivalHistory#NONE} when unknown)
 */
public record ClusterSnapshot(
        String cluster,
        ScalingSettings settings,
        QueuedDemand queuedDemand,
        List<ScalingNode> nodes,
        int inFlight,
        Backoff backoff,
        ArrivalHistory arrivals) {
    public ClusterSnapshot {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(settings, "settings");
        queuedDemand = queuedDemand == null ? QueuedDemand.NONE : queuedDemand;
        arrivals = arrivals == null ? ArrivalHistory.NONE : arrivals;
        nodes = List.copyOf(nodes);
        if (inFlight < 0) {
            throw new IllegalArgumentException("inFlight must be >= 0, got " + inFlight);
        }
    }

    /** Without arrival history (stateless policies, tests). */
    public ClusterSnapshot(
            String cluster,
            ScalingSettings settings,
            QueuedDemand queuedDemand,
            List<ScalingNode> nodes,
            int inFlight,
            Backoff backoff) {
        this(cluster, settings, queuedDemand, nodes, inFlight, backoff, ArrivalHistory.NONE);
    }

    /** With the nodes needed by each queued job, in queue order (tests, traces). */
    public ClusterSnapshot(
            String cluster,
            ScalingSettings settings,
            List<Integer> nodesPerQueuedJob,
            List<ScalingNode> nodes,
            int inFlight,
            Backoff backoff,
            ArrivalHistory arrivals) {
        this(cluster, settings, QueuedDemand.ofJobs(nodesPerQueuedJob), nodes, inFlight, backoff, arrivals);
    }

    /** With the nodes needed by each queued job, in queue order, and no arrival history (tests). */
    public ClusterSnapshot(
            String cluster,
            ScalingSettings settings,
            List<Integer> nodesPerQueuedJob,
            List<ScalingNode> nodes,
            int inFlight,
            Backoff backoff) {
        this(cluster, settings, QueuedDemand.ofJobs(nodesPerQueuedJob), nodes, inFlight, backoff, ArrivalHistory.NONE);
    }

    /** Nodes that count towards the size: every node that is not leaving, plus the in-flight requests. */
    public int currentCount() {
        int count = inFlight;
        for (ScalingNode n : nodes) {
            if (n.phase() != NodePhase.LEAVING) {
                count++;
            }
        }
        return count;
    }

    public int count(NodePhase phase) {
        int count = 0;
        for (ScalingNode n : nodes) {
            if (n.phase() == phase) {
                count++;
            }
        }
        return count;
    }

    /** The nodes all queued jobs need together. */
    public int totalQueuedDemand() {
        return queuedDemand.nodes();
    }
}
