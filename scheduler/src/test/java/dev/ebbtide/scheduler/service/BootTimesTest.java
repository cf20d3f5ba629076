package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.NodeState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BootTimesTest {
    private static final Instant T = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration FALLBACK = Duration.ofSeconds(120);

    @Test
    void noObservationUsesTheFallback() {
        assertEquals(FALLBACK, new BootTimes().of("c", FALLBACK));
    }

    @Test
    void theMedianOfTheLastFivePreparingToIdleTimes() {
        BootTimes b = new BootTimes();
        for (long s : new long[] {500, 10, 20, 30, 40, 50}) { // 500 s drops out: only the last 5 are kept
            b.nodeChanged("c", NodeState.preparing, T, NodeState.idle, T.plusSeconds(s));
        }
        assertEquals(Duration.ofSeconds(30), b.of("c", FALLBACK));
        assertEquals(FALLBACK, b.of("other", FALLBACK), "per cluster");
    }

    @Test
    void otherChangesAreNotBootTimes() {
        BootTimes b = new BootTimes();
        b.nodeChanged("c", NodeState.running, T, NodeState.idle, T.plusSeconds(5));
        b.nodeChanged("c", null, null, NodeState.idle, T.plusSeconds(5));
        b.nodeChanged("c", NodeState.preparing, T, NodeState.lost, T.plusSeconds(5));
        assertEquals(FALLBACK, b.of("c", FALLBACK));
    }
}
