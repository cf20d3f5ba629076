package dev.ebbtide.core.scaling;

import java.time.Instant;

/**
 * Decides the size of a cluster. Implementations are pure, stateless functions of the snapshot and the time: what a
 * policy learns from the past (arrival rates, gaps) is the snapshot's {@link ArrivalHistory}, kept per cluster by the
 * caller and updated with {@link ArrivalHistory#observe}. Never future jobs, never the system clock. One instance
 * serves any number of clusters and threads.
 */
public interface ScalingPolicy {

    /** The policy's name as used in configuration and by the simulator, e.g. {@code fixed-idle}. */
    String name();

    /**
     * Decides for one cluster.
     *
     * @param snapshot the cluster now
     * @param now      the decision time
     * @return the decision; never {@code null}
     */
    ScalingDecision decide(ClusterSnapshot snapshot, Instant now);
}
