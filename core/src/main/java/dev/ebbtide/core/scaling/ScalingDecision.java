package dev.ebbtide.core.scaling;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A scaling policy's answer for one cluster.
 *
 * <p>Semantics for the provisioner: first remove the named nodes (each only if it is still idle), then add nodes until
 * the cluster (non-leaving nodes plus in-flight requests) has {@code targetCount}. It never shrinks by count.
 *
 * @param cluster     the cluster
 * @param targetCount total nodes wanted after this decision: preparing, idle and busy nodes plus in-flight requests,
 *                    minus {@code removeNodes}
 * @param removeNodes idle nodes to remove
 * @param reasons     why; at least one
 * @param nextCheckAt when re-deciding could change the answer without any new event (e.g. the next idle timeout), or
 *                    {@code null}
 */
public record ScalingDecision(
        String cluster, int targetCount, List<String> removeNodes, List<ScalingReason> reasons, Instant nextCheckAt) {
    public ScalingDecision {
        Objects.requireNonNull(cluster, "cluster");
        removeNodes = List.copyOf(removeNodes);
        reasons = List.copyOf(reasons);
        if (targetCount < 0) {
            throw new IllegalArgumentException("targetCount must be >= 0, got " + targetCount);
        }
    }

    /** True when this decision changes nothing for the snapshot it was made from. */
    public boolean isNoop(ClusterSnapshot s) {
        return targetCount == s.currentCount() && removeNodes.isEmpty();
    }

    /** Nodes to add for the snapshot: {@code targetCount - (currentCount - removeNodes)}, at least 0. */
    public int nodesToAdd(ClusterSnapshot s) {
        return Math.max(0, targetCount - (s.currentCount() - removeNodes.size()));
    }

    /** The reasons joined into one line, for logs. */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        for (ScalingReason r : reasons) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(r);
        }
        return sb.toString();
    }
}
