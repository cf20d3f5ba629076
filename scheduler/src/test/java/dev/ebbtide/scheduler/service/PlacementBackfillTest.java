package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the service's mapping lets the planner backfill: the running jobs' {@code limits.timeout} and the booting nodes'
 * boot time give the head its reservation; a node whose job has no timeout gives none.
 */
class PlacementBackfillTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration BOOT = Duration.ofSeconds(120);

    /** 3 nodes: n-0 and n-1 run job r (started 10 min ago, with {@code timeout}), n-2 is idle. */
    private static List<Start> plan(Long runningTimeout, List<WaitingJob> queue) {
        JobEntity running = new JobEntity();
        running.id = "r";
        running.specJson = EventJson.write(new JobSpec("true", 2, Map.of(), null, null, null, runningTimeout));
        running.startedAt = NOW.minusSeconds(600);
        List<NodeEntity> nodes = List.of(node("n-0", "r"), node("n-1", "r"), node("n-2", null));
        return PlacementPlanner.plan(
                queue, NodeSlots.of(nodes, NodeSlots.expectedEnds(List.of(running), NOW), BOOT), NOW);
    }

    private static NodeEntity node(String name, String job) {
        NodeEntity n = new NodeEntity();
        n.name = name;
        n.state = job == null ? NodeState.idle : NodeState.running;
        n.jobId = job;
        n.since = NOW.minusSeconds(600);
        return n;
    }

    private static WaitingJob job(String id, int nodes, long seq, Long limitSeconds) {
        return new WaitingJob(
                id, nodes, Priority.MEDIUM, seq, limitSeconds == null ? null : Duration.ofSeconds(limitSeconds));
    }

    private static final List<WaitingJob> QUEUE =
            List.of(job("head", 3, 1, null), job("short", 1, 2, 1800L), job("long", 1, 3, 7200L));

    @Test
    void aShortJobEndingBeforeTheRunningJobsTimeoutIsBackfilledAndALongOneIsNot() {
        // r ends at now - 600 + 3600 = now + 3000: short (1800 s) fits before, long (7200 s) would delay the head
        List<Start> starts = plan(3600L, QUEUE);
        assertEquals(List.of(new Start("short", List.of("n-2"))), starts);
        assertEquals(Set.of("short"), Placement.backfilled(QUEUE, starts));
    }

    @Test
    void nothingIsBackfilledAgainstAJobWithoutTimeout() {
        assertEquals(List.of(), plan(null, QUEUE));
    }

    @Test
    void aBootingNodeGivesTheHeadItsReservationAtTheBootTime() {
        NodeEntity idle = node("n-0", null);
        NodeEntity booting = node("n-1", null);
        booting.state = NodeState.preparing;
        booting.since = NOW.minusSeconds(20); // ready at now + 100 s
        List<WaitingJob> queue = List.of(job("head", 2, 1, null), job("a", 1, 2, 90L), job("b", 1, 3, 101L));
        List<Start> starts = PlacementPlanner.plan(queue, NodeSlots.of(List.of(idle, booting), Map.of(), BOOT), NOW);
        assertEquals(List.of(new Start("a", List.of("n-0"))), starts);
    }

    /**
     * The head needs 2 nodes: 1 is free, a booting node is ready in 100 s, a busy node's job ends in 120 s (its
     * timeout). A later 5 min job must not take the free node (the head can start at 100 s); a 90 s one may. The first
     * plan sees no expected times, so it backfills nothing; the second sees all of them.
     */
    @Test
    void theFirstPlanBackfillsNothingAndTheFullOneKeepsTheHeadsEarliestStart() {
        NodeEntity idle = node("n-0", null);
        NodeEntity busy = node("n-1", "r");
        NodeEntity booting = node("n-2", null);
        booting.state = NodeState.preparing;
        booting.since = NOW.minusSeconds(20); // ready at now + 100 s
        JobEntity running = new JobEntity();
        running.id = "r";
        running.specJson = EventJson.write(new JobSpec("true", 1, Map.of(), null, null, null, 720L));
        running.startedAt = NOW.minusSeconds(600); // ends at now + 120 s
        List<NodeEntity> nodes = List.of(idle, busy, booting);
        List<WaitingJob> queue =
                List.of(job("head", 2, 1, null), job("five-min", 1, 2, 300L), job("ninety-s", 1, 3, 90L));

        List<Start> inOrder = PlacementPlanner.plan(queue, NodeSlots.of(nodes, Map.of(), null), NOW);
        assertEquals(List.of(), inOrder, "no expected times: nothing backfilled");
        assertEquals(true, Placement.mayBackfill(queue, nodes, inOrder));

        List<Start> full = PlacementPlanner.plan(
                queue, NodeSlots.of(nodes, NodeSlots.expectedEnds(List.of(running), NOW), BOOT), NOW);
        assertEquals(List.of(new Start("ninety-s", List.of("n-0"))), full, "only what ends by the head's 100 s");
    }

    @Test
    void noSecondPlanWhenTheJobsInOrderTookEveryFreeNodeOrNothingWillFreeUp() {
        List<WaitingJob> queue = List.of(job("a", 1, 1, null), job("b", 1, 2, 60L));
        List<NodeEntity> oneFree = List.of(node("n-0", null));
        assertEquals(false, Placement.mayBackfill(queue, oneFree, List.of(new Start("a", List.of("n-0")))));
        List<NodeEntity> twoFree = List.of(node("n-0", null), node("n-1", null));
        List<WaitingJob> big = List.of(job("big", 3, 1, null), job("b", 1, 2, 60L));
        assertEquals(false, Placement.mayBackfill(big, twoFree, List.of()), "no node will free up: no reservation");
        List<NodeEntity> withBusy = List.of(node("n-0", null), node("n-1", null), node("n-2", "r"));
        assertEquals(true, Placement.mayBackfill(big, withBusy, List.of()));
    }

    @Test
    void jobsStartedInOrderAreNotBackfilled() {
        List<WaitingJob> queue = List.of(job("a", 1, 1, null), job("b", 1, 2, null), job("c", 1, 3, null));
        assertEquals(
                Set.of(),
                Placement.backfilled(queue, List.of(new Start("a", List.of("x")), new Start("b", List.of("y")))));
        assertEquals(Set.of("c"), Placement.backfilled(queue, List.of(new Start("c", List.of("x")))));
    }
}
