package dev.ebbtide.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueuedDemandTest {

    @Test
    void countsJobsBySizeSmallestFirst() {
        QueuedDemand d = QueuedDemand.ofJobs(List.of(4, 1, 1, 2, 4, 4));
        assertEquals(
                List.of(
                        new QueuedDemand.JobsOfSize(1, 2),
                        new QueuedDemand.JobsOfSize(2, 1),
                        new QueuedDemand.JobsOfSize(4, 3)),
                d.bySize());
        assertEquals(6, d.jobs());
        assertEquals(16, d.nodes());
    }

    @Test
    void refusesASizeCountedTwiceAndDropsEmptySizes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new QueuedDemand(List.of(new QueuedDemand.JobsOfSize(2, 1), new QueuedDemand.JobsOfSize(2, 3))));
        assertTrue(QueuedDemand.of(Map.of(3, 0)).isEmpty());
    }

    @Test
    void aHundredThousandQueuedJobsAreTwoEntriesAndDecideLikeTheList() {
        QueuedDemand deep = QueuedDemand.of(Map.of(1, 99_999, 64, 1));
        ClusterSnapshot s =
                new ClusterSnapshot("c", new ScalingSettings(0, 10, Duration.ofSeconds(120)), deep, List.of(), 0, null);
        assertEquals(2, s.queuedDemand().bySize().size());
        ScalingDecision d = new FixedIdlePolicy().decide(s, Snapshots.T0);
        assertEquals(10, d.targetCount(), d.explain());
        assertTrue(
                d.reasons().stream()
                        .anyMatch(r -> r.code() == ReasonCode.JOB_EXCEEDS_MAX
                                && r.message().startsWith("1 queued job(s)")),
                d.explain());
    }
}
