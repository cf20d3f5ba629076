package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.Reason;
import java.time.Instant;

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
     * @param nodes   nodes that may be added now
     * @param kind    {@code QUOTA_WAIT} or {@code APPROVAL_WAIT} when not all fit, else null
     * @param reason  why not all nodes fit (null when they do)
     * @param until   when the autoscaler should ask again (null when all fit)
     * @param cleared the cluster was waiting for quota and no longer is
     */
    record Admission(int nodes, String kind, Reason reason, Instant until, boolean cleared) {
        public static Admission all(int nodes) {
            return new Admission(nodes, null, null, null, false);
        }

        public boolean waits() {
            return reason != null;
        }
    }
}
