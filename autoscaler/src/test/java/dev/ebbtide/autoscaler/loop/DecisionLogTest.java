package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.GovernanceEvents;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.ReasonCode;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingReason;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Changing decisions are all published; unchanged ones at most once per interval per cluster. */
class DecisionLogTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final List<ScalingDecisionRecorded> published = new ArrayList<>();

    @Test
    void unchangedDecisionsAreRateLimitedPerClusterAndChangingOnesAreNot() {
        DecisionLog log = new DecisionLog();
        log.config = TestConfig.autoscaler();
        log.events = new GovernanceEvents() {
            @Override
            public void decision(ScalingDecisionRecorded d) {
                published.add(d);
            }
        };
        for (int s = 0; s < 130; s++) { // one tick a second for 130 s, two clusters
            log.decided("fixed-idle", 4, Duration.ofSeconds(120), snapshot("a"), noop("a"), T0.plusSeconds(s), null);
            log.decided("fixed-idle", 1, Duration.ofSeconds(120), snapshot("b"), noop("b"), T0.plusSeconds(s), null);
        }
        log.decided("fixed-idle", 4, Duration.ofSeconds(120), snapshot("a"), noop("a"), T0.plusSeconds(130), "req-1");
        log.decided("fixed-idle", 4, Duration.ofSeconds(120), snapshot("a"), noop("a"), T0.plusSeconds(130), "req-2");
        assertEquals(
                List.of("a@0", "b@0", "a@60", "b@60", "a@120", "b@120", "a@130", "a@130"),
                published.stream()
                        .map(d -> d.cluster() + "@" + (d.at().getEpochSecond() - T0.getEpochSecond()))
                        .toList());
        ScalingDecisionRecorded changed = published.get(published.size() - 1);
        assertEquals("req-2", changed.requestId());
        assertEquals(4, changed.policyVersion());
        assertEquals(120, changed.nodeBootTimeS());
        assertEquals(2, changed.snapshot().path("settings").path("maxNodes").asInt());
    }

    static ClusterSnapshot snapshot(String cluster) {
        return new ClusterSnapshot(
                cluster, new ScalingSettings(0, 2, Duration.ofSeconds(120)), List.of(), List.of(), 0, null);
    }

    static ScalingDecision noop(String cluster) {
        return new ScalingDecision(
                cluster, 0, List.of(), List.of(new ScalingReason(ReasonCode.NO_CHANGE, "nothing to do")), null);
    }
}
