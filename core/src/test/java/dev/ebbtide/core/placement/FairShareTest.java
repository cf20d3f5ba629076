package dev.ebbtide.core.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.core.placement.FairShare.Cluster;
import dev.ebbtide.core.placement.FairShare.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FairShareTest {

    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    /** 4 nodes of 8 cores, no GPUs. */
    private static final Cluster CPU = new Cluster(new Resources(4, 32, 0), Resources.node(8, 0));

    /** 8 nodes of 8 cores and 1 GPU. */
    private static final Cluster GPU = new Cluster(new Resources(8, 64, 8), Resources.node(8, 1));

    /**
     * Jobs written {@code A1 B1! C2~}: the team is the first letter, the id the whole word without its mark, {@code !}
     * is high priority, {@code ~} low; intake order is the order written.
     */
    private static List<WaitingJob> jobs(String spec) {
        List<WaitingJob> jobs = new ArrayList<>();
        long seq = 1;
        for (String w : spec.trim().split("\\s+")) {
            Priority p = w.endsWith("!") ? Priority.HIGH : w.endsWith("~") ? Priority.LOW : Priority.MEDIUM;
            String id = w.replaceAll("[!~]$", "");
            jobs.add(new WaitingJob(id, 1, p, seq++, null, id.substring(0, 1)));
        }
        return jobs;
    }

    /** What teams run now, written {@code A=8c4g B=24c}. */
    private static Map<String, Resources> using(String spec) {
        Map<String, Resources> using = new HashMap<>();
        if (spec.isBlank()) {
            return using;
        }
        for (String w : spec.trim().split("\\s+")) {
            String[] kv = w.split("=");
            long cores = 0;
            long gpus = 0;
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("(\\d+)([cg])").matcher(kv[1]);
            while (m.find()) {
                if (m.group(2).equals("c")) {
                    cores = Long.parseLong(m.group(1));
                } else {
                    gpus = Long.parseLong(m.group(1));
                }
            }
            using.put(kv[0], new Resources(Math.max(cores / 8, gpus), cores, gpus));
        }
        return using;
    }

    private static List<String> ids(List<WaitingJob> jobs) {
        return jobs.stream().map(WaitingJob::jobId).toList();
    }

    static Stream<Arguments> orders() {
        return Stream.of(
                Arguments.of(
                        "one team only: FIFO as before (priority, then intake)",
                        CPU,
                        "A1 A2 A3! A4~ A5",
                        "",
                        "",
                        "A3 A1 A2 A5 A4"),
                Arguments.of(
                        "burst then a single job: the single job goes second, before the burst's second job",
                        CPU,
                        "A1 A2 A3 A4 A5 B1",
                        "",
                        "",
                        "A1 B1 A2 A3 A4 A5"),
                Arguments.of(
                        "a team already running waits for the idle team's job",
                        CPU,
                        "A1 A2 B1",
                        "A=16c",
                        "",
                        "B1 A1 A2"),
                Arguments.of("equal weights alternate", CPU, "A1 A2 A3 B1 B2 B3", "", "", "A1 B1 A2 B2 A3 B3"),
                Arguments.of(
                        "weights 2:1 give two jobs to one",
                        CPU,
                        "A1 A2 A3 A4 A5 A6 B1 B2 B3 B4 B5 B6",
                        "",
                        "A=2,B=1",
                        "A1 B1 A2 A3 B2 A4 A5 B3 A6 B4 B5 B6"),
                Arguments.of(
                        "GPUs dominant: fewer cores but half the GPUs waits behind more cores and no GPUs",
                        GPU,
                        "A1 B1",
                        "A=8c4g B=24c",
                        "",
                        "B1 A1"),
                Arguments.of(
                        "high priority goes first across teams, whatever the share",
                        CPU,
                        "B1 B2 A1!",
                        "A=32c",
                        "",
                        "A1 B1 B2"),
                Arguments.of(
                        "low priority goes last across teams, whatever the share",
                        CPU,
                        "A1~ B1 B2",
                        "B=32c",
                        "",
                        "B1 B2 A1"),
                Arguments.of("equal shares keep intake order between teams", CPU, "B1 A1", "A=8c B=8c", "", "B1 A1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orders")
    void ordersTheQueue(String name, Cluster cluster, String queue, String using, String weights, String expected) {
        FairShare.Order order = FairShare.order(jobs(queue), using(using), cluster, FairShare.parseWeights(weights));

        assertEquals(List.of(expected.split(" ")), ids(order.jobs()), name);
    }

    @Test
    void weightsTwoToOneGiveTwoToOneNodesOverTime() {
        List<WaitingJob> queue = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // B's burst first: weights, not arrival, decide
            queue.add(new WaitingJob("b" + i, 1, Priority.MEDIUM, i, null, "nlp"));
            queue.add(new WaitingJob("v" + i, 1, Priority.MEDIUM, 1000 + i, null, "vision"));
        }
        Cluster cluster = new Cluster(new Resources(30, 240, 0), Resources.node(8, 0));

        List<WaitingJob> order = FairShare.order(queue, Map.of(), cluster, Map.of("vision", 2.0, "nlp", 1.0))
                .jobs();

        for (int prefix : new int[] {30, 90, 300}) {
            long vision = order.subList(0, prefix).stream()
                    .filter(j -> j.team().equals("vision"))
                    .count();
            assertEquals(prefix * 2 / 3.0, vision, 1.0, "vision's jobs among the first " + prefix);
        }
    }

    @Test
    void theSingleJobStartsBeforeTheBurstsSecondJob() {
        List<WaitingJob> queue = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            queue.add(new WaitingJob("a" + i, 1, Priority.MEDIUM, i, null, "A"));
        }
        queue.add(new WaitingJob("b1", 1, Priority.MEDIUM, 21, null, "B"));
        List<NodeSlot> nodes = List.of(
                NodeSlot.free("n1", NOW.minusSeconds(10)),
                NodeSlot.free("n2", NOW.minusSeconds(20)),
                NodeSlot.busy("n3", NOW.minusSeconds(60), null));
        Cluster cluster = new Cluster(new Resources(3, 24, 0), Resources.node(8, 0));

        FairShare.Order order = FairShare.order(queue, Map.of("A", new Resources(1, 8, 0)), cluster, Map.of());
        List<Start> starts = PlacementPlanner.planInOrder(order.jobs(), nodes, NOW);

        assertEquals(List.of("b1", "a1"), starts.stream().map(Start::jobId).toList());
    }

    @Test
    void backfillBehindAFairHeadNeverTakesItsNodes() {
        // B's 2-node job is the fair head; A's later 1-node job without a limit may not take the free node it needs
        List<WaitingJob> queue = List.of(
                new WaitingJob("a1", 1, Priority.MEDIUM, 1, null, "A"),
                new WaitingJob("b1", 2, Priority.MEDIUM, 2, null, "B"));
        List<NodeSlot> nodes = List.of(
                NodeSlot.free("n1", NOW.minusSeconds(10)),
                NodeSlot.busy("n2", NOW.minusSeconds(60), NOW.plusSeconds(60)));
        Cluster cluster = new Cluster(new Resources(2, 16, 0), Resources.node(8, 0));

        FairShare.Order order = FairShare.order(queue, Map.of("A", new Resources(1, 8, 0)), cluster, Map.of());
        List<Start> starts = PlacementPlanner.planInOrder(order.jobs(), nodes, NOW);

        assertEquals(List.of("b1", "a1"), ids(order.jobs()));
        assertEquals(List.of(), starts);
    }

    @Test
    void saysWhichTeamWaitsAndWhy() {
        FairShare.Order order = FairShare.order(jobs("V1 V2 N1"), using("V=24c"), CPU, Map.of());

        assertEquals(List.of("N1", "V1", "V2"), ids(order.jobs()));
        assertEquals(
                "waiting: team V uses 24 of 32 cores (share 0.75 at weight 1); team N's jobs go first",
                order.heldBack().get("V").sentence());
        assertEquals(1, order.heldBack().size(), "N was never passed over");
    }

    @Test
    void nobodyIsHeldBackInFifoOrder() {
        assertTrue(FairShare.order(jobs("A1 A2 A3"), Map.of(), CPU, Map.of())
                .heldBack()
                .isEmpty());
        assertTrue(FairShare.order(jobs("A1 B1"), Map.of(), CPU, Map.of())
                .heldBack()
                .isEmpty());
    }

    @Test
    void readsNoMoreOfTheTeamsQueuesThanItOrders() {
        int[] read = {0};
        Map<String, java.util.Iterator<WaitingJob>> queues = new HashMap<>();
        for (String team : List.of("A", "B", "C")) {
            queues.put(team, new java.util.Iterator<>() {
                long next = 0;

                @Override
                public boolean hasNext() {
                    return next < 100_000;
                }

                @Override
                public WaitingJob next() {
                    read[0]++;
                    return new WaitingJob(team + next, 1, Priority.MEDIUM, next++, null, team);
                }
            });
        }

        FairShare.Order order = FairShare.order(queues, Map.of(), CPU, Map.of(), 1000);

        assertEquals(1000, order.jobs().size());
        assertTrue(read[0] <= 1000 + 3, "read " + read[0] + " of 300,000 queued jobs");
    }

    @Test
    void saysAFractionalWeightAsItIsWritten() {
        FairShare.Order order = FairShare.order(jobs("V1 V2 N1"), using("V=8c"), CPU, FairShare.parseWeights("V=0.5"));

        assertEquals(
                "waiting: team V uses 8 of 32 cores (share 0.5 at weight 0.5); team N's jobs go first",
                order.heldBack().get("V").sentence());
    }

    @Test
    void parsesWeights() {
        assertEquals(Map.of("vision", 2.0, "nlp", 0.5), FairShare.parseWeights(" vision=2, nlp = 0.5 ,"));
        assertEquals(Map.of(), FairShare.parseWeights(""));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FairShare.parseWeights("vision=0"));
        assertEquals(
                "team weight 'vision=0' is not team=weight with a weight above 0 (e.g. vision=2,nlp=1)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FairShare.parseWeights("vision"));
        assertThrows(IllegalArgumentException.class, () -> FairShare.parseWeights("a=1,a=2"));
    }

    @Test
    void sharesWithoutCoresOrGpusCountNodes() {
        FairShare.Standing s = FairShare.standing("A", new Resources(3, 0, 0), 2, new Resources(4, 0, 0));

        assertEquals(FairShare.Dimension.NODES, s.dominant());
        assertEquals(0.375, s.share(), 1e-9);
    }
}
