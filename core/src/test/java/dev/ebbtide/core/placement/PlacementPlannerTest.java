package dev.ebbtide.core.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlacementPlannerTest {

    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    private static Instant at(long seconds) {
        return NOW.plusSeconds(seconds);
    }

    private static WaitingJob job(String id, int nodes, Priority p, long seq) {
        return new WaitingJob(id, nodes, p, seq, null);
    }

    private static WaitingJob job(String id, int nodes, long seq, Long limitS) {
        return new WaitingJob(id, nodes, Priority.MEDIUM, seq, limitS == null ? null : Duration.ofSeconds(limitS));
    }

    private static NodeSlot free(String name, long idleSinceS) {
        return NodeSlot.free(name, at(idleSinceS));
    }

    private static List<String> startedIds(List<Start> starts) {
        List<String> ids = new ArrayList<>();
        for (Start s : starts) {
            ids.add(s.jobId());
        }
        return ids;
    }

    @Test
    void startsByPriorityThenFifo() {
        List<WaitingJob> queue = List.of(
                job("low-1", 1, Priority.LOW, 1),
                job("med-3", 1, Priority.MEDIUM, 3),
                job("high-5", 1, Priority.HIGH, 5),
                job("med-2", 1, Priority.MEDIUM, 2));
        List<NodeSlot> nodes = List.of(free("a", -10), free("b", -20), free("c", -30));

        List<Start> starts = PlacementPlanner.plan(queue, nodes, NOW);

        assertEquals(List.of("high-5", "med-2", "med-3"), startedIds(starts));
    }

    @Test
    void reusesTheMostRecentlyIdledNodeFirst() {
        List<NodeSlot> nodes = List.of(free("old", -300), free("newest", -5), free("middle", -60));

        List<Start> starts = PlacementPlanner.plan(List.of(job("j", 2, Priority.MEDIUM, 1)), nodes, NOW);

        assertEquals(List.of(new Start("j", List.of("newest", "middle"))), starts);
    }

    @Test
    void gangJobWaitsUntilAllItsNodesAreFree() {
        WaitingJob gang = job("gang", 3, Priority.MEDIUM, 1);
        List<NodeSlot> twoFree = List.of(free("a", -1), free("b", -2), NodeSlot.busy("c", at(-100), null));

        assertEquals(List.of(), PlacementPlanner.plan(List.of(gang), twoFree, NOW));

        List<NodeSlot> threeFree = List.of(free("a", -1), free("b", -2), free("c", 0));
        assertEquals(
                List.of(new Start("gang", List.of("c", "a", "b"))),
                PlacementPlanner.plan(List.of(gang), threeFree, NOW));
    }

    @Test
    void neverUsesBootingOrBusyNodes() {
        List<NodeSlot> nodes =
                List.of(NodeSlot.booting("boot", at(-10), at(100)), NodeSlot.busy("busy", at(-10), at(1)));

        assertEquals(List.of(), PlacementPlanner.plan(List.of(job("j", 1, Priority.HIGH, 1)), nodes, NOW));
    }

    /**
     * Head needs 2 nodes; 1 is free and 1 busy node is expected free at +100 s, so the head's reservation is +100 s
     * and no node is extra. A 1-node job behind it may take the free node only if it is gone by +100 s.
     */
    @ParameterizedTest(name = "limit {0} s -> backfilled {1}")
    @CsvSource(
            nullValues = "unknown",
            value = {"50, true", "100, true", "101, false", "unknown, false"})
    void backfillsOnlyJobsThatEndBeforeTheHeadsReservation(Long limitS, boolean backfilled) {
        List<WaitingJob> queue = List.of(job("head", 2, 1, null), job("small", 1, 2, limitS));
        List<NodeSlot> nodes = List.of(free("f", -10), NodeSlot.busy("b", at(-500), at(100)));

        List<Start> starts = PlacementPlanner.plan(queue, nodes, NOW);

        assertEquals(backfilled ? List.of("small") : List.of(), startedIds(starts));
    }

    @Test
    void backfillsUnknownLimitJobsOnlyIntoExtraNodes() {
        // head needs 2: 1 free now + 2 booting ready at +100 s -> 3 available at the reservation, 1 extra.
        List<NodeSlot> nodes = List.of(
                free("f", -10), NodeSlot.booting("p1", at(-20), at(100)), NodeSlot.booting("p2", at(-20), at(100)));
        List<WaitingJob> queue = List.of(
                job("head", 2, 1, null), job("two", 2, 2, null), job("one", 1, 3, null), job("one-more", 1, 4, null));

        List<Start> starts = PlacementPlanner.plan(queue, nodes, NOW);

        // "two" does not fit in the free node; "one" takes the extra node; "one-more" finds no node left.
        assertEquals(List.of(new Start("one", List.of("f"))), starts);
    }

    @Test
    void noBackfillWhenTheHeadsReservationIsUnknown() {
        List<NodeSlot> nodes = List.of(free("f", -10), NodeSlot.busy("b", at(-500), null));
        List<WaitingJob> queue = List.of(job("head", 2, 1, null), job("short", 1, 2, 1L));

        assertEquals(List.of(), PlacementPlanner.plan(queue, nodes, NOW));
    }

    @Test
    void backfillNeverDelaysTheHead() {
        // Exhaustive small cases: whatever is backfilled, the head can still start at its reservation time.
        for (int freeCount = 0; freeCount <= 3; freeCount++) {
            for (int headNodes = 1; headNodes <= 4; headNodes++) {
                for (long limit : new long[] {30, 60, 90, 200}) {
                    List<NodeSlot> nodes = new ArrayList<>();
                    for (int k = 0; k < freeCount; k++) {
                        nodes.add(free("f" + k, -k));
                    }
                    nodes.add(NodeSlot.busy("b60", at(-100), at(60)));
                    nodes.add(NodeSlot.booting("p90", at(-30), at(90)));
                    nodes.add(NodeSlot.busy("bx", at(-100), null));
                    List<WaitingJob> queue = List.of(
                            job("head", headNodes, 1, null),
                            job("a", 1, 2, limit),
                            job("b", 1, 3, null),
                            job("c", 2, 4, limit));
                    List<Start> starts = PlacementPlanner.plan(queue, nodes, NOW);
                    if (startedIds(starts).contains("head")) {
                        continue;
                    }
                    // Head reservation without backfill: the earliest instant with enough nodes.
                    long[] known = {60, 90};
                    long reservation = Long.MAX_VALUE;
                    if (freeCount + known.length >= headNodes) {
                        reservation = known[headNodes - freeCount - 1];
                    }
                    // Nodes free at the reservation despite the backfilled jobs.
                    int available = freeCount;
                    for (long t : known) {
                        if (t <= reservation) {
                            available++;
                        }
                    }
                    for (Start s : starts) {
                        WaitingJob j = queue.stream()
                                .filter(q -> q.jobId().equals(s.jobId()))
                                .findFirst()
                                .get();
                        boolean endsBefore =
                                j.timeLimit() != null && j.timeLimit().getSeconds() <= reservation;
                        if (!endsBefore) {
                            available -= j.nodes();
                        }
                    }
                    String ctx = "free=" + freeCount + " head=" + headNodes + " limit=" + limit + " starts=" + starts;
                    if (reservation == Long.MAX_VALUE) {
                        assertEquals(List.of(), starts, ctx);
                    } else {
                        assertTrue(available >= headNodes, ctx);
                    }
                }
            }
        }
    }

    @Test
    void emptyQueueOrNoFreeNodeStartsNothing() {
        assertEquals(List.of(), PlacementPlanner.plan(List.of(), List.of(free("a", 0)), NOW));
        assertEquals(List.of(), PlacementPlanner.plan(List.of(job("j", 1, Priority.LOW, 1)), List.of(), NOW));
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "null",
            value = {"high, HIGH", "HIGH, HIGH", " Low , LOW", "medium, MEDIUM", "null, MEDIUM", "'', MEDIUM"})
    void parsesPriorityCaseInsensitively(String in, Priority expected) {
        assertEquals(expected, Priority.parse(in));
    }

    @Test
    void rejectsUnknownPriority() {
        assertThrows(IllegalArgumentException.class, () -> Priority.parse("urgent"));
    }
}
