package dev.ebbtide.core.scaling;

import static dev.ebbtide.core.scaling.Snapshots.at;
import static dev.ebbtide.core.scaling.Snapshots.cluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** adaptive-lean: tau 300 s, horizon 120 s, beta 1, start ahead (the default differs only in beta). */
class AdaptivePolicyTest {

    private final AdaptivePolicy policy = (AdaptivePolicy) Policies.create("adaptive-lean");

    private static boolean has(ScalingDecision d, ReasonCode code) {
        return d.reasons().stream().anyMatch(r -> r.code() == code);
    }

    static ArrivalHistory arrivals(int count, Instant at) {
        ArrivalHistory h = ArrivalHistory.NONE;
        for (int i = 0; i < count; i++) {
            h = ArrivalHistory.observe(h, 1, at);
        }
        return h;
    }

    @Test
    void withoutHistoryRemovesIdleNodesAtOnceAndStartsNothing() {
        ClusterSnapshot s = cluster().idleTime(1800).idle("i", 0).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(List.of("i"), d.removeNodes());
        assertEquals(0, d.targetCount());
    }

    @Test
    void startsTheWarmPoolAheadOfDemandAfterABurst() {
        // 10 nodes asked for at t=0: rate 10/300 per s, 4 expected within 120 s.
        ArrivalHistory h = arrivals(10, at(0));
        ClusterSnapshot s =
                cluster().busy("b1", "b2").preparing("p1").queued(1).arrivals(h).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(4.0, policy.expectedDemand(h, at(0)), 1e-9);
        // spare = 1 preparing - 1 queued = 0, pool 4: start 4 ahead.
        assertEquals(3 + 4, d.targetCount());
        assertTrue(has(d, ReasonCode.PREDICTED_DEMAND), d.explain());
    }

    @Test
    void keepsWarmNodesUntilThePredictionDecaysAndNeverPastTheIdleTime() {
        ArrivalHistory h = arrivals(10, at(0)); // K(t) = 4 exp(-t/300)
        ClusterSnapshot s = cluster()
                .idleTime(1800)
                .idle("a", 0)
                .idle("b", 0)
                .idle("c", 0)
                .idle("d", 0)
                .idle("e", 0)
                .arrivals(h)
                .build();

        ScalingDecision d = policy.decide(s, at(0));
        // pool round(4) = 4: the fifth node goes at once; ranks 0..3 stay while K >= rank + 0.5.
        assertEquals(1, d.removeNodes().size());
        assertTrue(has(d, ReasonCode.KEPT_WARM), d.explain());
        Instant rank3Leaves = Instant.ofEpochMilli(
                (long) Math.ceil((at(0).toEpochMilli() / 1000.0 + 300 * Math.log(4 / 3.5)) * 1000));
        assertEquals(rank3Leaves, d.nextCheckAt());

        ClusterSnapshot capped = cluster().idleTime(60).idle("a", 0).arrivals(h).build();
        ScalingDecision atCap = policy.decide(capped, at(60));
        assertEquals(List.of("a"), atCap.removeNodes());
    }

    @Test
    void decidesFromTheSnapshotsHistoryOnly() {
        ArrivalHistory busy = arrivals(10, at(0));
        ClusterSnapshot warm =
                cluster().name("busy-cluster").idle("i", 0).arrivals(busy).build();
        ClusterSnapshot quiet = cluster().name("quiet-cluster").idle("i", 0).build();

        assertEquals(List.of(), policy.decide(warm, at(1)).removeNodes());
        assertEquals(List.of("i"), policy.decide(quiet, at(1)).removeNodes());
        // the same instance, asked again: nothing was remembered between the calls
        assertEquals(List.of(), policy.decide(warm, at(1)).removeNodes());
    }

    @Test
    void respectsMaxAndBackoffWhenStartingAhead() {
        ArrivalHistory h = arrivals(30, at(0)); // 12 expected
        ClusterSnapshot capped = cluster().max(5).busy("b").arrivals(h).build();
        assertEquals(5, policy.decide(capped, at(0)).targetCount());

        ClusterSnapshot backingOff = cluster()
                .busy("b")
                .backoffUntil(60, "capacity unavailable")
                .arrivals(h)
                .build();
        ScalingDecision d = policy.decide(backingOff, at(0));
        assertEquals(1, d.targetCount());
        assertTrue(has(d, ReasonCode.BACKING_OFF));
    }

    @Test
    void neverRemovesBusyOrPreparingNodes() {
        ClusterSnapshot s = cluster().idleTime(0).busy("b").preparing("p").build();

        ScalingDecision d = policy.decide(s, at(10_000));

        assertEquals(List.of(), d.removeNodes());
        assertEquals(2, d.targetCount());
    }

    @Test
    void startsNothingAheadWhenTheIdleTimeIsZero() {
        ClusterSnapshot s =
                cluster().idleTime(0).busy("b").arrivals(arrivals(10, at(0))).build();

        assertEquals(1, policy.decide(s, at(0)).targetCount());
    }

    @Test
    void defaultPoolIsOneAndAHalfTimesTheExpectedDemand() {
        AdaptivePolicy def = (AdaptivePolicy) Policies.create("adaptive");
        ArrivalHistory h = arrivals(10, at(0));
        assertEquals(6.0, def.expectedDemand(h, at(0)), 1e-9);
        assertEquals(
                2 + 6,
                def.decide(cluster().busy("b1", "b2").arrivals(h).build(), at(0))
                        .targetCount());
    }

    @Test
    void keepOnlyVariantStartsNothingAhead() {
        ScalingPolicy keep = Policies.create("adaptive-keep");
        ClusterSnapshot s =
                cluster().busy("b").idle("i", 0).arrivals(arrivals(10, at(0))).build();

        ScalingDecision d = keep.decide(s, at(0));

        assertEquals(2, d.targetCount());
        assertEquals(List.of(), d.removeNodes());
    }
}
