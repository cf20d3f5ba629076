package dev.ebbtide.core.scaling;

import java.time.Instant;

/**
 * Adaptive idle time. Work in progress: behaves like {@link FixedIdlePolicy} for now.
 */
public final class AdaptivePolicy implements ScalingPolicy {

    public static final String NAME = "adaptive";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ScalingDecision decide(ClusterSnapshot snapshot, Instant now) {
        var t = snapshot.settings().idleTimeBeforeScaleDown();
        return ScalingRules.decide(snapshot, now, (node, rank) -> node.idleSince().plus(t), ReasonCode.IDLE_TIMEOUT,
                ">= " + ScalingRules.seconds(t));
    }
}
