package dev.ebbtide.core.scaling;

import java.time.Instant;

/**
 * Decides the size of a cluster. Implementations are pure functions of what they are given, plus (for adaptive
 * policies) what they have observed so far: never future jobs, never the system clock. One instance may serve several
 * clusters; state is keyed by cluster name. Not thread-safe unless stated: call it from one thread per instance.
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

    /** Tells the policy that a job needing {@code nodes} nodes was queued on {@code cluster} at {@code at}. */
    default void observeJobQueued(String cluster, int nodes, Instant at) {
    }
}
