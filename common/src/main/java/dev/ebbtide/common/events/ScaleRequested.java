package dev.ebbtide.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The autoscaler asks for a cluster size. The provisioner first removes {@code removeNodes} (only those still
 * idle), then adds nodes until the cluster has {@code targetCount} live nodes. It never shrinks by count.
 * {@code requestId} makes a redelivered request a no-op. {@code policy} and {@code policyVersion} (optional) name the
 * cluster's policy and the policy version the decision was made under; {@code sender} (optional) the autoscaler
 * instance that decided it (with several instances, only the one owning the cluster's partition sends).
 * {@code units} (optional, empty when absent) are the gang units among the nodes to add, in queue order: the new nodes
 * a queued multi-node job needs, admitted whole or not at all and given back if not all up in time (docs/compute.md).
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
        String sender,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Unit> units) {

    /** The new nodes one queued job needs, as one unit. */
    public record Unit(String jobId, int nodes) {}

    public ScaleRequested {
        removeNodes = List.copyOf(removeNodes);
        reasons = List.copyOf(reasons);
        units = units == null ? List.of() : List.copyOf(units);
    }

    /** Without units: every node on its own. */
    public ScaleRequested(
            String requestId,
            String cluster,
            int targetCount,
            List<String> removeNodes,
            List<Reason> reasons,
            Instant at,
            String policy,
            Integer policyVersion,
            String sender) {
        this(requestId, cluster, targetCount, removeNodes, reasons, at, policy, policyVersion, sender, null);
    }

    public ScaleRequested(
            String requestId,
            String cluster,
            int targetCount,
            List<String> removeNodes,
            List<Reason> reasons,
            Instant at) {
        this(requestId, cluster, targetCount, removeNodes, reasons, at, null, null, null, null);
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
        this(requestId, cluster, targetCount, removeNodes, reasons, at, policy, policyVersion, null, null);
    }
}
