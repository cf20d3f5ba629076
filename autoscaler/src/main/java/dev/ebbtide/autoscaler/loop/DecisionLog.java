package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.config.AutoscalerConfig;
import dev.ebbtide.autoscaler.messaging.GovernanceEvents;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.ScalingDecision;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes decisions with the snapshot they were made from on {@code ebbtide.scaling.decisions}: every decision that
 * changes something, and unchanged ones at most once per {@code ebbtide.autoscaler.unchanged-decisions-every} per
 * cluster (the autoscaler re-decides every tick; all of them would flood the topic).
 */
@ApplicationScoped
public class DecisionLog {
    @Inject
    GovernanceEvents events;

    @Inject
    AutoscalerConfig config;

    private final Map<String, Instant> lastUnchanged = new ConcurrentHashMap<>();

    /** Publishes one decision (a changing one always, an unchanged one if its cluster's interval has passed). */
    public void decided(
            String policy,
            int policyVersion,
            Duration bootTime,
            ClusterSnapshot snapshot,
            ScalingDecision decision,
            Instant now,
            String requestId) {
        boolean changed = requestId != null;
        if (!changed && !dueForUnchanged(snapshot.cluster(), now)) {
            return;
        }
        events.decision(new ScalingDecisionRecorded(
                UUID.randomUUID().toString(),
                snapshot.cluster(),
                now,
                policy,
                policyVersion,
                bootTime.toSeconds(),
                changed,
                requestId,
                EventJson.mapper().valueToTree(snapshot),
                EventJson.mapper().valueToTree(decision)));
    }

    private boolean dueForUnchanged(String cluster, Instant now) {
        Instant last = lastUnchanged.get(cluster);
        if (last != null && now.isBefore(last.plus(config.autoscaler().unchangedDecisionsEvery()))) {
            return false;
        }
        lastUnchanged.put(cluster, now);
        return true;
    }
}
