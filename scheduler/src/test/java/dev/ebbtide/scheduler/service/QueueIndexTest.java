package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.persistence.JobEntity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory queue index alone: placement order, the window, and undo of a failed transaction. */
class QueueIndexTest {
    private final QueueIndex index = new QueueIndex();

    @Test
    void keepsPlacementOrderPriorityThenSequence() {
        Outgoing out = new Outgoing();
        index.added(job("late-high", "high", 30), out);
        index.added(job("early-low", "low", 10), out);
        index.added(job("early-medium", null, 20), out);
        index.added(job("first-medium", "medium", 5), out);
        assertEquals(List.of("late-high", "first-medium", "early-medium", "early-low"), ids(index.head("c", 10)));
        assertEquals(List.of("late-high", "first-medium"), ids(index.head("c", 2)), "the window");
        assertEquals(4, index.queued("c").size());
        assertEquals(List.of(), index.head("other", 10));
    }

    @Test
    void aFailedTransactionLeavesTheIndexAsBefore() {
        JobEntity a = job("a", null, 1);
        JobEntity b = job("b", null, 2);
        index.added(a, new Outgoing());
        Outgoing failed = new Outgoing();
        index.removed(a, failed); // placed in the failed transaction
        index.added(b, failed); // queued in the failed transaction
        assertEquals(List.of("b"), ids(index.head("c", 10)));
        failed.undo();
        assertEquals(List.of("a"), ids(index.head("c", 10)));
        assertEquals(1, index.size("c"));
    }

    @Test
    void addingTwiceKeepsOneEntry() {
        Outgoing out = new Outgoing();
        index.added(job("a", null, 1), out);
        index.added(job("a", null, 1), out);
        assertEquals(1, index.total());
        out.undo();
        assertEquals(0, index.total());
    }

    @Test
    void demandCountsBySizeAsJobsComeAndGoAndListsOnlyTheHead() {
        Outgoing out = new Outgoing();
        for (int i = 0; i < 30; i++) {
            JobEntity j = job("j" + i, null, i);
            j.instanceCount = i % 3 == 0 ? 4 : 1;
            index.added(j, out);
        }
        JobEntity gone = job("j0", null, 0);
        gone.instanceCount = 4;
        index.removed(gone, out);
        QueueIndex.Demand d = index.demand("c", 20);
        assertEquals(20, d.head().size());
        assertEquals("j1", d.head().get(0).jobId());
        assertEquals(29, d.jobs());
        assertEquals(20 + 9 * 4, d.nodes());
        assertEquals(
                List.of(new ClusterDemandChangedV2.JobsOfSize(1, 20), new ClusterDemandChangedV2.JobsOfSize(4, 9)),
                d.bySize());
        out.undo();
        assertEquals(
                new QueueIndex.Demand(List.of(), 0, 0, List.of()), index.demand("c", 20), "undo restores the counts");
    }

    private static List<String> ids(List<WaitingJob> jobs) {
        return jobs.stream().map(WaitingJob::jobId).toList();
    }

    private static JobEntity job(String id, String priority, long sequence) {
        JobEntity j = new JobEntity();
        j.id = id;
        j.cluster = "c";
        j.instanceCount = 1;
        j.priority = priority;
        j.sequence = sequence;
        j.submittedAt = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(sequence);
        j.specJson = "{\"command\":\"true\",\"instanceCount\":1,\"timeoutSeconds\":60}";
        return j;
    }
}
