package dev.ebbtide.core.scaling;

import static dev.ebbtide.core.scaling.Snapshots.at;
import static dev.ebbtide.core.scaling.Snapshots.cluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-cluster arrival history and the learned idle time, with fixed instants. */
class ArrivalHistoryTest {

    private static ArrivalHistory every(long gapS, int count) {
        ArrivalHistory h = ArrivalHistory.NONE;
        for (int i = 0; i < count; i++) {
            h = ArrivalHistory.observe(h, 1, at(i * gapS));
        }
        return h;
    }

    @ParameterizedTest(name = "{0} node(s) at t=0, then {1} node(s) at t={2}s: short rate {3}/s")
    @CsvSource({
        "1, 0, 0, 0.0033333333", // one arrival: 1 / 300
        "1, 1, 0, 0.0066666667", // two at once
        "1, 1, 300, 0.0045595981", // 1/300 * e^-1 + 1/300
        "4, 2, 600, 0.0084711371", // 4/300 * e^-2 + 2/300
        "2, 1, -300, 0.0078929315", // a late report: 2/300 + 1/300 * e^-1, last stays at t=0
    })
    void observeUpdatesTheShortRate(int first, int second, long secondAt, double rate) {
        ArrivalHistory h = ArrivalHistory.observe(ArrivalHistory.NONE, first, at(0));
        if (second > 0) {
            h = ArrivalHistory.observe(h, second, at(secondAt));
        }
        assertEquals(rate, h.rate(), 1e-9);
        assertEquals(secondAt < 0 ? at(0) : at(Math.max(0, secondAt)), h.last());
    }

    @Test
    void isAValueAndObserveNeverChangesItsInput() {
        ArrivalHistory one = ArrivalHistory.observe(ArrivalHistory.NONE, 1, at(0));
        ArrivalHistory two = ArrivalHistory.observe(one, 1, at(30));

        assertEquals(one, ArrivalHistory.observe(ArrivalHistory.NONE, 1, at(0)));
        assertNotEquals(one, two);
        assertEquals(0, one.gapCount(), 1e-12);
        assertEquals(1, two.gapCount(), 1e-12);
        assertEquals(0, ArrivalHistory.NONE.gapCount(), 1e-12);
        two.gaps()[3] = 99; // the accessor hands out a copy
        assertEquals(1, two.gapCount(), 1e-12);
    }

    @Test
    void ratesDecayToNow() {
        ArrivalHistory h = ArrivalHistory.observe(ArrivalHistory.NONE, 3, at(0));
        assertEquals(3 / 300.0 * Math.exp(-1), h.rateAt(at(300)), 1e-12);
        assertEquals(3 / 3600.0 * Math.exp(-1), h.longRateAt(at(3600)), 1e-12);
        assertEquals(0, ArrivalHistory.NONE.rateAt(at(0)));
    }

    @ParameterizedTest(name = "arrivals every {0} s, miss cost {1} s, ceiling {2} s: idle {3} s")
    @CsvSource({
        "240, 360, 3600, 300", // gaps just under 300 s: keeping 300 s costs ~240 s, a miss 360 s
        "240, 200, 3600, 0", // a miss is cheaper than waiting for the next job
        "240, 360, 120, 0", // the operator's ceiling is below every gap: nothing to learn
        "20, 360, 3600, 30", // short gaps: keep just past them
        "5000, 360, 3600, 0", // gaps longer than the ceiling
    })
    void learnsTheIdleTimeFromTheGaps(long gapS, long missS, long ceilingS, long idleS) {
        ArrivalHistory h = every(gapS, 50);
        assertEquals(
                Duration.ofSeconds(idleS), h.bestIdleTime(Duration.ofSeconds(missS), Duration.ofSeconds(ceilingS)));
    }

    @Test
    void nothingLearnedBeforeTheSecondArrival() {
        assertEquals(Duration.ZERO, ArrivalHistory.NONE.bestIdleTime(Duration.ofSeconds(360), Duration.ofHours(1)));
        assertEquals(Duration.ZERO, every(60, 1).bestIdleTime(Duration.ofSeconds(360), Duration.ofHours(1)));
    }

    @Test
    void learnedPolicyKeepsTheLastIdledNodeThroughTheUsualGap() {
        // one job every 240 s for 200 minutes: adaptive's warm pool keeps the last idled node while K >= 0.5, i.e. 234
        // s
        // after the last arrival (K = 1.5 * 120 s * 0.00605/s = 1.09 then, decaying with tau 300 s); the learned
        // idle time keeps it 300 s after it idled (miss cost 120 s * (1 + 4) = 600 s > 240 s of idle on average).
        ArrivalHistory h = every(240, 50);
        Instant last = h.last();
        long t = last.getEpochSecond() - at(0).getEpochSecond();
        ClusterSnapshot s = cluster()
                .idleTime(3600)
                .idle("old", t - 100)
                .idle("new", t)
                .arrivals(h)
                .build();

        ScalingDecision learned = Policies.create("adaptive-learned").decide(s, at(t + 250));
        ScalingDecision plain = Policies.create("adaptive").decide(s, at(t + 250));

        assertEquals(List.of("old"), learned.removeNodes());
        assertEquals(at(t + 300), learned.nextCheckAt());
        assertEquals(
                List.of("new", "old"), plain.removeNodes().stream().sorted().toList());
    }

    @Test
    void learnedIdleTimeNeverPassesTheOperatorsCeiling() {
        ArrivalHistory h = every(240, 50);
        long t = h.last().getEpochSecond() - at(0).getEpochSecond();
        ClusterSnapshot s = cluster().idleTime(60).idle("new", t).arrivals(h).build();

        assertEquals(
                List.of("new"),
                Policies.create("adaptive-learned").decide(s, at(t + 60)).removeNodes());
    }

    @Test
    void noneIsTheDefaultOfASnapshot() {
        ClusterSnapshot s =
                new ClusterSnapshot("c", new ScalingSettings(0, 1, Duration.ZERO), List.of(), List.of(), 0, null);
        assertSame(ArrivalHistory.NONE, s.arrivals());
    }
}
