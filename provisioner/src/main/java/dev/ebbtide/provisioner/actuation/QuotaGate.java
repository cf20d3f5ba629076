package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.WaitReason;
import java.time.Instant;
import java.util.List;

/**
 * Asked before a scale-up reaches the cloud: how many of the nodes fit the region's quota. A scale-up that would exceed
 * it is not sent (docs/compute.md).
 */
@FunctionalInterface
public interface QuotaGate {

    /** No quota is checked: every node is admitted. */
    QuotaGate NONE = (cluster, nodes) -> Admission.all(nodes);

    Admission admit(String cluster, int nodes);

    /**
     * Like {@link #admit(String, int)}, with gang units among the nodes (sizes in queue order): each unit is admitted
     * whole or not at all, and nothing after a refused unit (core's {@code QuotaPlanner}).
     */
    default Admission admit(String cluster, int nodes, List<Integer> units) {
        return admit(cluster, nodes);
    }

    /**
     * @param nodes   nodes that may be added now
     * @param waiting why not all nodes fit ({@link WaitReason.Quota} or {@link WaitReason.Approval}, its
     *                {@code until} when the autoscaler should ask again); null when they do
     * @param cleared the cluster was waiting for quota and no longer is
     */
    record Admission(int nodes, WaitReason waiting, boolean cleared) {
        public static Admission all(int nodes) {
            return new Admission(nodes, null, false);
        }

        public boolean waits() {
            return waiting != null;
        }

        /** The wait as the scale request's outcome gives it: a stable code and the wait's sentence. */
        public Reason reason() {
            if (waiting == null) {
                return null;
            }
            return new Reason(
                    waiting instanceof WaitReason.Approval ? "approval_wait" : "quota_wait", waiting.sentence());
        }

        public Instant until() {
            return waiting == null ? null : waiting.until();
        }
    }
}
