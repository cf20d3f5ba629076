package dev.ebbtide.core.scaling;

import static dev.ebbtide.core.scaling.Snapshots.at;
import static dev.ebbtide.core.scaling.Snapshots.cluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FixedIdlePolicyTest {

    private final ScalingPolicy policy = Policies.create("fixed-idle");

    private static boolean has(ScalingDecision d, ReasonCode code) {
        return d.reasons().stream().anyMatch(r -> r.code() == code);
    }

    @Test
    void removesAnIdleNodeExactlyAtTheIdleTimeAndNotBefore() {
        ClusterSnapshot s = cluster().idleTime(120).idle("n1", 0).build();

        ScalingDecision before = policy.decide(s, at(120).minusMillis(1));
        assertEquals(List.of(), before.removeNodes());
        assertEquals(1, before.targetCount());
        assertEquals(at(120), before.nextCheckAt());
        assertTrue(before.isNoop(s));

        ScalingDecision atT = policy.decide(s, at(120));
        assertEquals(List.of("n1"), atT.removeNodes());
        assertEquals(0, atT.targetCount());
        assertTrue(has(atT, ReasonCode.IDLE_TIMEOUT));
        assertEquals("node n1 idle for 120 s >= 120 s", atT.reasons().get(0).message());
        assertFalse(atT.isNoop(s));
    }

    @Test
    void zeroIdleTimeRemovesAtOnce() {
        ClusterSnapshot s = cluster().idleTime(0).idle("n1", 5).build();

        assertEquals(List.of("n1"), policy.decide(s, at(5)).removeNodes());
    }

    @Test
    void neverRemovesPreparingBusyOrLeavingNodes() {
        ClusterSnapshot s = cluster()
                .idleTime(0)
                .busy("b1", "b2")
                .preparing("p1")
                .leaving("l1")
                .idle("i1", 0)
                .build();

        ScalingDecision d = policy.decide(s, at(1_000_000));

        assertEquals(List.of("i1"), d.removeNodes());
        assertEquals(3, d.targetCount()); // b1, b2, p1; leaving nodes do not count
    }

    @Test
    void nextCheckIsTheEarliestIdleDeadline() {
        ClusterSnapshot s =
                cluster().idleTime(60).idle("a", 10).idle("b", 0).idle("c", 30).build();

        ScalingDecision d = policy.decide(s, at(59));

        assertEquals(List.of(), d.removeNodes());
        assertEquals(at(60), d.nextCheckAt());
    }

    @Test
    void keepsMinNodesAndRemovesTheLongestIdleFirst() {
        ClusterSnapshot s = cluster()
                .min(2)
                .idleTime(60)
                .idle("a", 0)
                .idle("b", 5)
                .idle("c", 10)
                .build();

        ScalingDecision d = policy.decide(s, at(500));

        assertEquals(List.of("a"), d.removeNodes());
        assertEquals(2, d.targetCount());
        assertTrue(has(d, ReasonCode.HELD_FOR_MIN));
    }

    @Test
    void raisesToMin() {
        ClusterSnapshot s = cluster().min(3).busy("b").inFlight(1).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(3, d.targetCount());
        assertEquals(1, d.nodesToAdd(s));
        assertTrue(has(d, ReasonCode.RAISED_TO_MIN));
    }

    @Test
    void scalesUpToWhatTheQueueNeeds() {
        ClusterSnapshot s = cluster().busy("b").queued(2, 1).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(4, d.targetCount());
        assertTrue(has(d, ReasonCode.QUEUE_NEEDS_NODES));
        assertNull(d.nextCheckAt());
    }

    @Test
    void capsAtMax() {
        ClusterSnapshot s = cluster().max(4).busy("b1", "b2").queued(1, 1, 1).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(4, d.targetCount());
        assertTrue(has(d, ReasonCode.CAPPED_AT_MAX));
    }

    @Test
    void doesNotCountJobsLargerThanMax() {
        ClusterSnapshot s = cluster().max(4).queued(8, 1).build();

        ScalingDecision d = policy.decide(s, at(0));

        assertEquals(1, d.targetCount());
        assertTrue(has(d, ReasonCode.JOB_EXCEEDS_MAX));
    }

    @Test
    void removesIdleNodesAtOnceWhenAboveMax() {
        ClusterSnapshot s =
                cluster().max(2).busy("b1", "b2").idle("i1", 0).idle("i2", 10).build();

        ScalingDecision d = policy.decide(s, at(11));

        assertEquals(List.of("i1", "i2"), d.removeNodes());
        assertEquals(2, d.targetCount());
        assertTrue(has(d, ReasonCode.ABOVE_MAX));
    }

    /** Demand 3: preparing + in-flight capacity is counted before asking for more. */
    @ParameterizedTest(name = "preparing {0}, in flight {1}, idle {2} -> add {3}")
    @CsvSource({"0, 0, 0, 3", "1, 0, 0, 2", "1, 2, 0, 0", "0, 3, 0, 0", "0, 1, 1, 1", "2, 2, 0, 0"})
    void doesNotRequestInFlightCapacityTwice(int preparing, int inFlight, int idle, int add) {
        Snapshots b = cluster().queued(1, 2).inFlight(inFlight);
        for (int k = 0; k < preparing; k++) {
            b.preparing("p" + k);
        }
        for (int k = 0; k < idle; k++) {
            b.idle("i" + k, 0);
        }
        ClusterSnapshot s = b.build();

        ScalingDecision d = policy.decide(s, at(1));

        assertEquals(add, d.nodesToAdd(s));
        assertEquals(add == 0, d.isNoop(s));
    }

    @Test
    void holdsIdleNodesAQueuedGangIsWaitingFor() {
        ClusterSnapshot s = cluster().idleTime(60).idle("i1", 0).queued(2).build();

        ScalingDecision d = policy.decide(s, at(3600));

        assertEquals(List.of(), d.removeNodes());
        assertEquals(2, d.targetCount());
        assertTrue(has(d, ReasonCode.HELD_FOR_QUEUE));
    }

    @Test
    void honoursBackoff() {
        ClusterSnapshot s = cluster()
                .busy("b")
                .queued(2)
                .backoffUntil(300, "quota exceeded")
                .build();

        ScalingDecision during = policy.decide(s, at(299));
        assertEquals(1, during.targetCount());
        assertTrue(during.isNoop(s));
        assertTrue(has(during, ReasonCode.BACKING_OFF));
        assertTrue(during.explain().contains("quota exceeded"), during.explain());
        assertEquals(at(300), during.nextCheckAt());

        ScalingDecision after = policy.decide(s, at(300));
        assertEquals(3, after.targetCount());
        assertFalse(has(after, ReasonCode.BACKING_OFF));
    }

    @Test
    void backoffDoesNotBlockScaleDown() {
        ClusterSnapshot s =
                cluster().idleTime(10).idle("i", 0).backoffUntil(300, "").build();

        assertEquals(List.of("i"), policy.decide(s, at(10)).removeNodes());
    }

    @Test
    void saysNoChangeWhenNothingToDo() {
        ClusterSnapshot s = cluster().busy("b").build();

        ScalingDecision d = policy.decide(s, at(0));

        assertTrue(d.isNoop(s));
        assertEquals(ReasonCode.NO_CHANGE, d.reasons().get(0).code());
    }

    @Test
    void validatesSettings() {
        assertThrows(IllegalArgumentException.class, () -> new ScalingSettings(3, 2, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ScalingSettings(-1, 2, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ScalingSettings(0, 2, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> Policies.create("nope"));
        assertEquals(Instant.EPOCH, new Backoff(Instant.EPOCH, null).until());
    }

    @Test
    void knowsItsPolicies() {
        assertEquals("fixed-idle", Policies.names().get(0));
        for (String name : Policies.names()) {
            assertEquals(name, Policies.create(name).name());
        }
    }
}
