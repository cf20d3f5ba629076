package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The autoscaler asks for a cluster size. The provisioner first removes {@code removeNodes} (only those still
 * idle), then adds nodes until the cluster has {@code targetCount} live nodes. It never shrinks by count.
 * {@code requestId} makes a redelivered request a no-op. {@code policy} and {@code policyVersion} (optional) name the
 * cluster's policy and the policy version the decision was made under; {@code sender} (optional) the autoscaler
 * instance that decided it (with several instances, only the one owning the cluster's partition sends).
 */
public record ScaleRequested(
        String requestId,
        String cluster,
        int targetCount,
        List<String> removeNodes,
        List<Reason> reasons,
        Instant at,
        String policy,
        Integer policyVersion,
        String sender) {
    public ScaleRequested {
        removeNodes = List.copyOf(removeNodes);
        reasons = List.copyOf(reasons);
    }

    public ScaleRequested(
            String requestId,
            String cluster,
            int targetCount,
            List<String> removeNodes,
            List<Reason> reasons,
            Instant at) {
        this(requestId, cluster, targetCount, removeNodes, reasons, at, null, null, null);
    }

    public ScaleRequested(
            String requestId,
            String cluster,
            int targetCount,
            List<String> removeNodes,
            List<Reason> reasons,
            Instant at,
            String policy,
            Integer policyVersion) {
        this(requestId, cluster, targetCount, removeNodes, reasons, at, policy, policyVersion, null);
    }
}
