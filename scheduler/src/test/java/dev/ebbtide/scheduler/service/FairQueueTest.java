package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.config.TeamsConfig;
import dev.ebbtide.scheduler.config.TestConfig;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-team queues of the index, the teams' use of a cluster, and the weights setting. */
class FairQueueTest {
    private static final FairShare.Cluster FOUR =
            new FairShare.Cluster(new FairShare.Resources(4, 0, 0), FairShares.NODE);

    private final QueueIndex index = new QueueIndex();

    @Test
    void mergesTheTeamsQueuesByShareAndForgetsATeamWithNothingQueued() {
        Outgoing out = new Outgoing();
        for (int i = 0; i < 5; i++) {
            index.added(job("a" + i, "alpha", i), out);
        }
        index.added(job("b0", "beta", 10), out);
        assertEquals(2, index.teams("c"));

        FairShare.Order order = index.fairHead("c", 4, Map.of(), FOUR, Map.of());
        assertEquals(List.of("a0", "b0", "a1", "a2"), ids(order.jobs()), "the window, in fair order");
        assertEquals(List.of("a0", "a1", "a2", "a3"), ids(index.head("c", 4)), "queue order is kept too");

        index.removed(job("b0", "beta", 10), out);
        assertEquals(1, index.teams("c"));
        assertFalse(index.hasQueued("c", "beta"));
        assertTrue(index.hasQueued("c", "alpha"));
        out.undo();
        assertEquals(0, index.teams("c"));
    }

    @Test
    void aNodeCountsForTheTeamOfTheJobItRuns() {
        JobEntity running = job("r", "alpha", 1);
        List<NodeEntity> nodes = List.of(node("n0", "r"), node("n1", "r"), node("n2", null), node("n3", "gone"));

        Map<String, FairShare.Resources> using = FairShares.using(nodes, List.of(running));

        assertEquals(Map.of("alpha", new FairShare.Resources(2, 0, 0)), using);
        assertEquals(
                new FairShare.Resources(4, 0, 0),
                FairShares.cluster(nodes, using).capacity());
    }

    @Test
    void aBadWeightStopsTheSchedulerWithOneSentence() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new FairShares(config("vision=two")));
        assertEquals(
                "ebbtide.teams.weights: team weight 'vision=two' is not team=weight with a weight above 0 (e.g."
                        + " vision=2,nlp=1)",
                e.getMessage());
        assertEquals(Map.of("vision", 2.0), new FairShares(config("vision=2")).weights());
    }

    @Test
    void aQueuedJobOfAHeldBackTeamSaysWhyWhileTheOtherTeamStillWaits() {
        FairShares shares = new FairShares(config(""));
        shares.index = index;
        Outgoing out = new Outgoing();
        index.added(job("a0", "alpha", 1), out);
        index.added(job("a1", "alpha", 2), out);
        index.added(job("b0", "beta", 3), out);
        FairShare.Order order =
                index.fairHead("c", 10, Map.of("alpha", new FairShare.Resources(3, 0, 0)), FOUR, Map.of());
        shares.record("c", order.heldBack());

        JobEntity a1 = job("a1", "alpha", 2);
        a1.state = JobState.Queued;
        a1.reason = "waiting for 1 node(s)";
        assertEquals(
                "waiting: team alpha uses 3 of 4 nodes (share 0.75 at weight 1); team beta's jobs go first",
                shares.reason(a1));

        index.removed(job("b0", "beta", 3), out); // beta's job started: alpha waits for nodes again
        assertEquals("waiting for 1 node(s)", shares.reason(a1));
    }

    private static TeamsConfig config(String weights) {
        return TestConfig.scheduler(Map.of("ebbtide.teams.weights", weights)).teams();
    }

    private static List<String> ids(List<WaitingJob> jobs) {
        return jobs.stream().map(WaitingJob::jobId).toList();
    }

    private static NodeEntity node(String name, String jobId) {
        NodeEntity n = new NodeEntity();
        n.name = name;
        n.cluster = "c";
        n.jobId = jobId;
        return n;
    }

    private static JobEntity job(String id, String team, long sequence) {
        JobEntity j = new JobEntity();
        j.id = id;
        j.cluster = "c";
        j.team = team;
        j.instanceCount = 1;
        j.sequence = sequence;
        j.submittedAt = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(sequence);
        j.specJson = "{\"command\":\"true\",\"instanceCount\":1,\"timeoutSeconds\":60}";
        return j;
    }
}
