package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.core.scaling.ArrivalHistory;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingNode;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A snapshot with its arrival history is a plain value: it goes through the services' JSON mapper and back unchanged,
 * and the policy decides the same on the copy (what a recorded decision needs to be replayed).
 */
class SnapshotJsonTest {

    @Test
    void snapshotWithArrivalHistoryRoundTripsExactly() {
        Instant t0 = Instant.parse("2026-01-05T10:00:00Z");
        ArrivalHistory h = ArrivalHistory.NONE;
        for (int i = 0; i < 40; i++) {
            h = ArrivalHistory.observe(h, 1 + i % 3, t0.plusSeconds(37L * i * i % 5000));
        }
        ClusterSnapshot s = new ClusterSnapshot(
                "gpu",
                new ScalingSettings(0, 50, Duration.ofSeconds(1800)),
                List.of(2, 1),
                List.of(ScalingNode.idle("n1", t0.plusSeconds(4000)), ScalingNode.busy("n2")),
                1,
                null,
                h);

        ClusterSnapshot copy = EventJson.read(EventJson.write(s), ClusterSnapshot.class);

        assertEquals(s, copy);
        Instant now = t0.plusSeconds(4100);
        for (String policy : Policies.names()) {
            assertEquals(
                    Policies.create(policy).decide(s, now),
                    Policies.create(policy).decide(copy, now),
                    policy);
        }
    }
}
