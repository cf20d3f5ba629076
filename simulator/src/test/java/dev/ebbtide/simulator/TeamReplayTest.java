package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Teams on one shared cluster ({@link TeamReplay}): Jain's index, entitlements and a trace worked by hand. */
class TeamReplayTest {

    static Stream<Arguments> jain() {
        return Stream.of(
                Arguments.of("everyone got the same fraction", List.of(0.8, 0.8, 0.8), 1.0),
                Arguments.of("one of four got everything", List.of(1.0, 0.0, 0.0, 0.0), 0.25),
                Arguments.of("one got its entitlement, one half of it", List.of(1.0, 0.5), 0.9),
                Arguments.of("one team", List.of(2.0), 1.0),
                Arguments.of("no team was entitled to anything", List.of(), 1.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jain")
    void jainsIndex(String name, List<Double> ratios, double expected) {
        assertEquals(expected, TeamReplay.jain(ratios), 1e-9);
    }

    static Stream<Arguments> entitlements() {
        return Stream.of(
                Arguments.of(
                        "both ask for more than half: half each",
                        4,
                        Map.of("a", 10L, "b", 10L),
                        Map.of(),
                        Map.of("a", 2.0, "b", 2.0)),
                Arguments.of(
                        "what one does not ask for goes to the other",
                        4,
                        Map.of("a", 10L, "b", 1L),
                        Map.of(),
                        Map.of("a", 3.0, "b", 1.0)),
                Arguments.of(
                        "weights 2:1 with both asking for all",
                        6,
                        Map.of("a", 10L, "b", 10L),
                        Map.of("a", 2.0),
                        Map.of("a", 4.0, "b", 2.0)),
                Arguments.of(
                        "nobody is entitled to more than it asks for",
                        10,
                        Map.of("a", 3L, "b", 2L, "c", 0L),
                        Map.of(),
                        Map.of("a", 3.0, "b", 2.0, "c", 0.0)),
                Arguments.of(
                        "three teams, one small: the rest split by weight",
                        10,
                        Map.of("a", 100L, "b", 100L, "c", 1L),
                        Map.of("b", 2.0),
                        Map.of("a", 3.0, "b", 6.0, "c", 1.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entitlements")
    void waterFilling(
            String name,
            int nodes,
            Map<String, Long> demand,
            Map<String, Double> weights,
            Map<String, Double> expected) {
        Map<String, Double> got = TeamReplay.entitlements(nodes, demand, weights);
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((t, e) -> assertEquals(e, got.get(t), 1e-9, t));
    }

    /**
     * Two nodes; team a submits four 100 s jobs at 0, team b one 100 s job at 1. FIFO: a's four go first, b starts at
     * 200. Fair: at 100 a's third job and b's job start (a ran both nodes, b none), a's fourth at 200.
     */
    private static final Trace HAND = new Trace(
            "hand",
            List.of(
                    new Trace.Job("a1", 0, 100, 1, "a"),
                    new Trace.Job("a2", 0, 100, 1, "a"),
                    new Trace.Job("a3", 0, 100, 1, "a"),
                    new Trace.Job("a4", 0, 100, 1, "a"),
                    new Trace.Job("b1", 1, 100, 1, "b")));

    @Test
    void fifoLetsTheFirstBurstWin() {
        TeamReplay.Result r = TeamReplay.run(HAND, 2, Map.of(), TeamReplay.Order.FIFO);
        TeamReplay.TeamScore a = r.teams().get(0);
        TeamReplay.TeamScore b = r.teams().get(1);
        // contended [0,1): a asks 4, gets 2 of 2; [1,100) and [100,200): a runs 2, entitled 1, b runs 0, entitled 1
        assertEquals(400.0 / 3600, a.gotNodeHours(), 1e-9);
        assertEquals(201.0 / 3600, a.entitledNodeHours(), 1e-9);
        assertEquals(0.0, b.gotNodeHours(), 1e-9);
        assertEquals(199.0 / 3600, b.entitledNodeHours(), 1e-9);
        assertEquals(0.0, b.ratio(), 1e-9);
        assertEquals(0.5, r.jain(), 1e-9);
        assertEquals(199, b.maxWaitS());
        assertEquals(100, a.maxWaitS());
        assertEquals(50.0, a.meanWaitS(), 1e-9);
        assertEquals(300.0 / 3600 * 2, r.clusterNodeHours(), 1e-9); // 2 nodes from 0 to 300
        assertEquals(500.0 / 3600, r.busyNodeHours(), 1e-9);
    }

    @Test
    void fairShareStartsTheOtherTeamsJobAsSoonAsANodeFrees() {
        TeamReplay.Result r = TeamReplay.run(HAND, 2, Map.of(), TeamReplay.Order.FAIR);
        TeamReplay.TeamScore a = r.teams().get(0);
        TeamReplay.TeamScore b = r.teams().get(1);
        assertEquals(99, b.maxWaitS());
        assertEquals(200, a.maxWaitS());
        assertEquals(200, a.p95WaitS());
        // a: 2 + 198 + 100 got of 2 + 99 + 100; b: 100 of 199
        assertEquals(300.0 / 201, a.ratio(), 1e-9);
        assertEquals(100.0 / 199, b.ratio(), 1e-9);
        assertEquals(TeamReplay.jain(List.of(300.0 / 201, 100.0 / 199)), r.jain(), 1e-12);
        assertTrue(r.jain() > 0.8 && r.jain() < 0.81, "Jain " + r.jain());
        assertEquals(300.0 / 3600 * 2, r.clusterNodeHours(), 1e-9); // the same cost: only the order changed
    }

    @Test
    void weightsGiveATeamMoreOfTheNodes() {
        // three nodes, both teams keep three jobs queued: at weight 2:1, a gets 2 of every 3 nodes
        Trace t = new Trace(
                "weights",
                List.of(
                        new Trace.Job("a1", 0, 100, 1, "a"),
                        new Trace.Job("a2", 0, 100, 1, "a"),
                        new Trace.Job("a3", 0, 100, 1, "a"),
                        new Trace.Job("b1", 0, 100, 1, "b"),
                        new Trace.Job("b2", 0, 100, 1, "b"),
                        new Trace.Job("b3", 0, 100, 1, "b")));
        TeamReplay.Result equal = TeamReplay.run(t, 3, Map.of(), TeamReplay.Order.FAIR);
        TeamReplay.Result weighted = TeamReplay.run(t, 3, Map.of("a", 2.0), TeamReplay.Order.FAIR);
        // equal: a1, b1, a2 start at 0 (ties go by intake); weighted: a1, a2, b1
        assertEquals(100, equal.teams().get(0).maxWaitS());
        assertEquals(100, equal.teams().get(1).maxWaitS());
        assertEquals(100, weighted.teams().get(0).maxWaitS());
        assertEquals(100.0 / 3, weighted.teams().get(0).meanWaitS(), 1e-9); // a: 0, 0, 100
        assertEquals(200.0 / 3, weighted.teams().get(1).meanWaitS(), 1e-9); // b: 0, 100, 100
    }

    @Test
    void aJobLargerThanTheClusterNeverStarts() {
        Trace t = new Trace("big", List.of(new Trace.Job("a1", 0, 10, 5, "a"), new Trace.Job("b1", 0, 10, 1, "b")));
        TeamReplay.Result r = TeamReplay.run(t, 4, Map.of(), TeamReplay.Order.FAIR);
        assertEquals(1, r.neverStarted());
        assertEquals(0, r.teams().get(0).started());
        assertEquals(1, r.teams().get(1).started());
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("no cluster size", List.of("--teams"), "--teams needs --max-nodes"),
                Arguments.of(
                        "weights without teams",
                        List.of("--policy", "fixed-idle", "--team-weights", "a=2"),
                        "--team-weights needs --teams"),
                Arguments.of(
                        "a bad weight",
                        List.of("--teams", "--max-nodes", "4", "--team-weights", "a=0"),
                        "team weight 'a=0' is not team=weight"),
                Arguments.of(
                        "with a policy",
                        List.of("--teams", "--max-nodes", "4", "--policy", "fixed-idle"),
                        "--teams replays one shared cluster"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void refusesBadArgumentsInOneSentence(String name, List<String> args, String start, @TempDir Path tmp)
            throws Exception {
        Path trace = tmp.resolve("t.csv");
        Files.writeString(trace, "job_id,submit_s,duration_s,nodes,queue\nj1,0,10,1,a\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of("--trace", trace.toString()), args.stream())
                .toArray(String[]::new);
        int code = SimulatorMain.run(
                all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        String first = err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
        assertTrue(first.startsWith("error: " + start), first);
    }
}
