package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * Version 1 of the cluster's wait ({@code dev.ebbtide.cluster.backoff-changed.v1}), superseded by
 * {@link ClusterBackoffChangedV2}: no longer published, still read (records in the topic, a scheduler's stored
 * back-off). Consumers turn it into v2 at once with {@link #toV2()}, the only place its {@code errorClass} string is
 * read.
 *
 * @param until      the end of the back-off; null when it ended
 * @param errorClass the cloud failure's class (QUOTA_EXCEEDED, CAPACITY_UNAVAILABLE, …), or QUOTA_WAIT,
 *                   APPROVAL_WAIT, INSTANCE_STOPPED
 * @param reason     the sentence the provisioner gave
 */
public record ClusterBackoffChanged(String cluster, Instant until, String errorClass, String reason, Instant at) {

    /**
     * The same fact as v2. The sentence of a quota, approval or stopped-instance wait was free text in v1: its facts
     * (quota, series, state) are not parsed back out of it, so such a record reads as the kind with those left
     * unknown ("waiting for quota" until the provisioner's next v2 event); a cloud error keeps its message.
     */
    public ClusterBackoffChangedV2 toV2() {
        if (until == null) {
            return ClusterBackoffChangedV2.ended(cluster, at);
        }
        WaitReason waiting = switch (errorClass == null ? "" : errorClass) {
            case "QUOTA_WAIT" -> new WaitReason.Quota(null, null, null, until);
            case "APPROVAL_WAIT" -> new WaitReason.Approval(null, null, until);
            case "INSTANCE_STOPPED" -> new WaitReason.InstanceStopped(cluster, null, null);
            default -> new WaitReason.CloudError(errorClass(errorClass), reason, until);
        };
        return new ClusterBackoffChangedV2(cluster, waiting, at);
    }

    private static ErrorClass errorClass(String name) {
        for (ErrorClass c : ErrorClass.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return ErrorClass.UNKNOWN;
    }
}
