package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The autoscaler asks for a cluster size. The provisioner first removes {@code removeNodes} (only those still
 * idle), then adds nodes until the cluster has {@code targetCount} live nodes. It never shrinks by count.
 * {@code requestId} makes a redelivered request a no-op.
 */
public record ScaleRequested(String requestId, String cluster, int targetCount, List<String> removeNodes,
        List<Reason> reasons, Instant at) {
    public ScaleRequested {
        removeNodes = List.copyOf(removeNodes);
        reasons = List.copyOf(reasons);
    }
}
