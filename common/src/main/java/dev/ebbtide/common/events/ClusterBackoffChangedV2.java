package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * Why a cluster cannot grow now, or that it can again ({@code dev.ebbtide.cluster.backoff-changed.v2}). Replaces v1
 * ({@link ClusterBackoffChanged}), whose {@code errorClass} string mixed cloud error classes with quota, approval and
 * stopped-instance waits that every consumer decoded by text, and which gave a stopped compute instance an
 * {@code until} ten years ahead.
 *
 * @param cluster the cluster (or compute instance)
 * @param waiting why it waits; null when the wait ended (a scale-up succeeded, quota allows one, the instance runs)
 * @param at      when the provisioner saw it
 */
public record ClusterBackoffChangedV2(String cluster, WaitReason waiting, Instant at) {

    /** The wait ended. */
    public static ClusterBackoffChangedV2 ended(String cluster, Instant at) {
        return new ClusterBackoffChangedV2(cluster, null, at);
    }

    public boolean ended() {
        return waiting == null;
    }

    /**
     * The {@code ce_type} to send it with: v2 for the kinds v2 readers know, v3 for a kind added later
     * ({@link WaitReason.GangDeadline}).
     */
    public String ceType() {
        return waiting instanceof WaitReason.GangDeadline
                ? EventTypes.CLUSTER_BACKOFF_CHANGED_V3
                : EventTypes.CLUSTER_BACKOFF_CHANGED_V2;
    }
}
