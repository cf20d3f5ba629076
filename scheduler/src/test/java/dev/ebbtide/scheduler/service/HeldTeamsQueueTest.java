package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.persistence.JobEntity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The queue index's reads for placement and the demand event leave out the teams held by their budget
 * ({@link TeamBudgets#held()}): their jobs are not placed and the autoscaler is not asked for nodes for them.
 */
class HeldTeamsQueueTest {
    private static final FairShare.Cluster FOUR =
            new FairShare.Cluster(new FairShare.Resources(4, 0, 0), FairShares.NODE);

    private final QueueIndex index = new QueueIndex();

    @Test
    void aHeldTeamsJobsAreNeitherPlacedNorInTheDemand() {
        Outgoing out = new Outgoing();
        index.added(job("v0", "vision", 1, 2), out);
        index.added(job("n0", "nlp", 2, 1), out);
        index.added(job("v1", "vision", 3, 4), out);
        index.added(job("n1", "nlp", 4, 1), out);
        Set<String> held = Set.of("vision");

        assertEquals(2, index.teams("c"));
        assertEquals(1, index.teams("c", held));
        assertEquals(List.of("n0", "n1"), ids(index.head("c", 10, held)));
        assertEquals(
                List.of("n0", "n1"),
                ids(index.fairHead("c", 10, held, Map.of(), FOUR, Map.of()).jobs()));
        assertEquals(List.of("c"), index.clustersWith("vision"));

        QueueIndex.Demand all = index.demand("c", ClusterDemandChangedV2.HEAD);
        assertEquals(4, all.jobs());
        assertEquals(8, all.nodes());
        QueueIndex.Demand lean = index.demand("c", ClusterDemandChangedV2.HEAD, held);
        assertEquals(
                List.of("n0", "n1"), lean.head().stream().map(QueuedJob::jobId).toList());
        assertEquals(2, lean.jobs());
        assertEquals(2, lean.nodes());
        assertEquals(List.of(new ClusterDemandChangedV2.JobsOfSize(1, 2)), lean.bySize());
        assertEquals(all, index.demand("c", ClusterDemandChangedV2.HEAD, Set.of()), "no team held: as before");
    }

    @Test
    void everyTeamHeldLeavesNoDemand() {
        Outgoing out = new Outgoing();
        index.added(job("v0", "vision", 1, 2), out);
        QueueIndex.Demand d = index.demand("c", ClusterDemandChangedV2.HEAD, Set.of("vision"));
        assertEquals(0, d.jobs());
        assertEquals(0, d.nodes());
        assertEquals(List.of(), d.bySize());
        assertEquals(List.of(), index.head("c", 10, Set.of("vision")));
    }

    private static List<String> ids(List<WaitingJob> jobs) {
        return jobs.stream().map(WaitingJob::jobId).toList();
    }

    private static JobEntity job(String id, String team, long sequence, int nodes) {
        JobEntity j = new JobEntity();
        j.id = id;
        j.cluster = "c";
        j.team = team;
        j.instanceCount = nodes;
        j.sequence = sequence;
        j.submittedAt = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(sequence);
        j.specJson = "{\"command\":\"true\",\"instanceCount\":" + nodes + ",\"timeoutSeconds\":60}";
        return j;
    }
}
