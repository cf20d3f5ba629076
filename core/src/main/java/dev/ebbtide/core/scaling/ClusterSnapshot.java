package dev.ebbtide.core.scaling;

import java.util.List;
import java.util.Objects;

/**
 * What the scaling policy knows about one cluster.
 *
 * @param cluster      the cluster name
 * @param settings     its min, max and idle time
 * @param queuedDemand the nodes needed by each queued (not yet started) job, in queue order
 * @param nodes        the cluster's nodes
 * @param inFlight     nodes requested from the cloud but not yet in {@code nodes}
 * @param backoff      an active or past back-off, or {@code null}
 * @param arrivals     what the cluster's past arrivals tell the policies ({@link ArrivalHistory#NONE} when unknown)
 */
public record ClusterSnapshot(String cluster, ScalingSettings settings, List<Integer> queuedDemand,
        List<ScalingNode> nodes, int inFlight, Backoff backoff, ArrivalHistory arrivals) {
    public ClusterSnapshot {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(settings, "settings");
        arrivals = arrivals == null ? ArrivalHistory.NONE : arrivals;
        queuedDemand = List.copyOf(queuedDemand);
        nodes = List.copyOf(nodes);
        if (inFlight < 0) {
            throw new IllegalArgumentException("inFlight must be >= 0, got " + inFlight);
        }
    }

    /** Without arrival history (stateless policies, tests). */
    public ClusterSnapshot(String cluster, ScalingSettings settings, List<Integer> queuedDemand,
            List<ScalingNode> nodes, int inFlight, Backoff backoff) {
        this(cluster, settings, queuedDemand, nodes, inFlight, backoff, ArrivalHistory.NONE);
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

    /** Sum of {@link #queuedDemand()}. */
    public int totalQueuedDemand() {
        int sum = 0;
        for (int d : queuedDemand) {
            sum += d;
        }
        return sum;
    }
}
