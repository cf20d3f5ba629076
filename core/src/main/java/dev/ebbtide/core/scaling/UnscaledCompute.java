package dev.ebbtide.core.scaling;

import java.util.List;

/**
 * The decision for compute Ebbtide never sizes: an attached pool (its machines join by running the node agent) or a
 * compute instance (one node, started and stopped by its own lifecycle). The answer is always "keep what is there",
 * with a reason that says why, so {@code GET /clusters/{name}} and the decisions explain the absence of scaling.
 */
public final class UnscaledCompute {
    private UnscaledCompute() {}

    /**
     * @param kind how the compute is described to users, e.g. {@code attached compute}
     */
    public static ScalingDecision decide(ClusterSnapshot s, String kind) {
        int queued = s.totalQueuedDemand();
        int idle = s.count(NodePhase.IDLE);
        String demand = queued == 0
                ? ""
                : "; " + queued + " queued node(s) wait for machines to join or free up (" + idle + " idle)";
        return new ScalingDecision(
                s.cluster(),
                s.currentCount(),
                List.of(),
                List.of(new ScalingReason(
                        ReasonCode.NOT_SCALED,
                        s.cluster() + " is " + kind + ": Ebbtide never adds or removes its nodes" + demand)),
                null);
    }
}
