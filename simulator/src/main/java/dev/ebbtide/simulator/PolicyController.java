package dev.ebbtide.simulator;

import dev.ebbtide.core.scaling.ArrivalHistory;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.QueuedDemand;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingPolicy;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;

/**
 * The simulator's autoscaler for one cluster: keeps the cluster's {@link ArrivalHistory} (every arrival, placed at
 * once or queued, as the autoscaler does), builds the {@link ClusterSnapshot} and calls the policy. Re-checks come at
 * the decision's {@code nextCheckAt} rounded up to the autoscaler's tick (its timer fires on whole ticks).
 */
public final class PolicyController implements Controller {

    private final ScalingPolicy policy;
    private final ScalingSettings settings;
    private final long tickMs;
    private ArrivalHistory history = ArrivalHistory.NONE;
    private Instant wakeUp;

    public PolicyController(ScalingPolicy policy, ScalingSettings settings, Duration tick) {
        this.policy = policy;
        this.settings = settings;
        this.tickMs = tick.toMillis();
    }

    @Override
    public Decision decide(Instant at, ClusterView c) {
        for (Arrival a : c.arrivals()) {
            history = ArrivalHistory.observe(history, a.nodes(), a.submittedAt());
        }
        ClusterSnapshot snapshot = new ClusterSnapshot(
                c.cluster(), settings, QueuedDemand.of(c.queuedBySize()), c.nodes(), 0, null, history);
        ScalingDecision d = policy.decide(snapshot, at);
        wakeUp = d.nextCheckAt() == null ? null : roundUp(d.nextCheckAt(), tickMs);
        return new Decision(d.targetCount(), d.removeNodes());
    }

    @Override
    public Instant wakeUpAt() {
        return wakeUp;
    }

    /** The first whole tick at or after {@code i} (to the millisecond when the tick is 0). */
    static Instant roundUp(Instant i, long tickMs) {
        long ms = i.toEpochMilli();
        if (Instant.ofEpochMilli(ms).isBefore(i)) {
            ms++;
        }
        if (tickMs > 1) {
            ms = Math.floorDiv(ms + tickMs - 1, tickMs) * tickMs;
        }
        return Instant.ofEpochMilli(ms);
    }
}
