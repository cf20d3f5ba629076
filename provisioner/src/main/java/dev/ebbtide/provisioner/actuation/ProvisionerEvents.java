package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.WaitReason;
import java.time.Instant;
import java.util.List;

/**
 * What the actuation layer tells the rest of Ebbtide. The provisioner's messaging layer bridges these to Kafka
 * (decision / node-state events); every method has a no-op default so a bridge implements only what it publishes.
 * Calls happen on the thread that did the cloud call; implementations must not block for long.
 */
public interface ProvisionerEvents {

    ProvisionerEvents NONE = new ProvisionerEvents() {};

    /** A cloud call failed with this class (also counted in {@code ebbtide_provisioner_cloud_errors_total}). */
    default void cloudError(String cluster, ErrorClass errorClass, String message) {}

    /** Scale-up of {@code cluster} is paused until {@code until}; the autoscaler shows {@code reason} in its decisions. */
    default void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {}

    /**
     * A scale-up was not sent (or only partly) because the region's quota would be exceeded ({@link WaitReason.Quota})
     * or the series awaits approval ({@link WaitReason.Approval}); the autoscaler asks again after its {@code until},
     * or at once when {@link #backoffEnded} says quota was raised.
     */
    default void quotaWait(String cluster, WaitReason waiting) {}

    /**
     * A gang unit was not all up within the cluster's {@code max_gang_provision_time}: its nodes were given back and
     * the cluster waits until the wait's {@code until}.
     */
    default void gangDeadline(String cluster, WaitReason.GangDeadline waiting) {}

    /** A successful scale-up, or quota that fits again, ended the cluster's backoff or quota wait. */
    default void backoffEnded(String cluster) {}

    /** The cloud created these nodes for a scale request: publish them as {@code preparing}. */
    default void nodesRequested(String cluster, List<String> nodes, String requestId) {}

    /** A node was given up (not ready in time, or failed) and is being deleted; jobs on it must be requeued. */
    default void nodeUnusable(String cluster, String node, Reason reason) {}

    /** A Spot / low-priority node was taken back by the cloud; its job must be requeued, not failed. */
    default void nodePreempted(String cluster, String node) {}

    /** A node Ebbtide believed in no longer exists in the cloud. */
    default void nodeGone(String cluster, String node) {}

    /** An instance Ebbtide did not know was found after the grace period and adopted or deleted. */
    default void orphanFound(String cluster, String node, OrphanAction action) {}

    /** What the reconciler does with an instance Ebbtide does not know. */
    enum OrphanAction {
        /** Start tracking it as one of the cluster's nodes. */
        ADOPT,
        /** Delete it (the default: it is costing money and no job can be placed on it). */
        DELETE
    }
}
