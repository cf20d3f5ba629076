package dev.ebbtide.core.scaling;

import java.time.Instant;

/**
 * Azure ML's behaviour: scale up to what the queue needs as soon as it is queued (capped by max), and remove a node
 * once it has been idle for the cluster's {@link ScalingSettings#idleTimeBeforeScaleDown()} T ({@code >= T}, never
 * before), keeping min. Stateless; one instance serves any number of clusters.
 */
public final class FixedIdlePolicy implements ScalingPolicy {

    public static final String NAME = "fixed-idle";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ScalingDecision decide(ClusterSnapshot snapshot, Instant now) {
        var t = snapshot.settings().idleTimeBeforeScaleDown();
        return ScalingRules.decide(
                snapshot,
                now,
                (node, rank) -> node.idleSince().plus(t),
                ReasonCode.IDLE_TIMEOUT,
                ">= " + ScalingRules.seconds(t));
    }
}
