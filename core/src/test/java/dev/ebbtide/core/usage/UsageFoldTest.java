package dev.ebbtide.core.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UsageFoldTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Machine GPU = new Machine("Standard_NC6s_v3", "dedicated", "eastus");
    static final Holder JOB_A = new Holder("job-a", "vision", "alice");
    static final Holder JOB_B = new Holder("job-b", "nlp", "bob");

    static Instant t(long s) {
        return T0.plusSeconds(s);
    }

    static NodeUsage live(Holder h, long since) {
        return new NodeUsage("gpu", "gpu-0", GPU, h, false, t(since));
    }

    static NodeUsage gone(long at) {
        return new NodeUsage("gpu", "gpu-0", GPU, Holder.IDLE, true, t(at));
    }

    static NodeReport report(Holder h, long at) {
        return NodeReport.live("gpu", "gpu-0", GPU, h, t(at));
    }

    static NodeReport deleted(long at) {
        return NodeReport.gone("gpu", "gpu-0", GPU, t(at));
    }

    static UsageSegment seg(Holder h, long from, long to) {
        return new UsageSegment("gpu", "gpu-0", GPU, h, t(from), t(to));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("first report opens the node", null, report(Holder.IDLE, 0), live(Holder.IDLE, 0), null),
                Arguments.of(
                        "a job takes an idle node",
                        live(Holder.IDLE, 0),
                        report(JOB_A, 60),
                        live(JOB_A, 60),
                        seg(Holder.IDLE, 0, 60)),
                Arguments.of(
                        "the job ends",
                        live(JOB_A, 60),
                        report(Holder.IDLE, 660),
                        live(Holder.IDLE, 660),
                        seg(JOB_A, 60, 660)),
                Arguments.of(
                        "another job follows at once",
                        live(JOB_A, 60),
                        report(JOB_B, 90),
                        live(JOB_B, 90),
                        seg(JOB_A, 60, 90)),
                Arguments.of("same holder again goes on", live(JOB_A, 60), report(JOB_A, 90), live(JOB_A, 60), null),
                Arguments.of(
                        "a late report changes nothing",
                        live(JOB_A, 60),
                        report(Holder.IDLE, 30),
                        live(JOB_A, 60),
                        null),
                Arguments.of(
                        "deletion closes the node",
                        live(Holder.IDLE, 0),
                        deleted(300),
                        gone(300),
                        seg(Holder.IDLE, 0, 300)),
                Arguments.of(
                        "deletion while a job holds it counts to the job",
                        live(JOB_A, 100),
                        deleted(300),
                        gone(300),
                        seg(JOB_A, 100, 300)),
                Arguments.of("a repeated deletion changes nothing", gone(300), deleted(300), gone(300), null),
                Arguments.of(
                        "a report of the old life changes nothing", gone(300), report(JOB_A, 200), gone(300), null),
                Arguments.of("a deletion of a node never seen is nothing", null, deleted(5), null, null),
                Arguments.of(
                        "a node of the same name later is new",
                        gone(300),
                        report(Holder.IDLE, 400),
                        live(Holder.IDLE, 400),
                        null),
                Arguments.of(
                        "a report at the same instant opens nothing closed",
                        live(Holder.IDLE, 0),
                        report(JOB_A, 0),
                        live(JOB_A, 0),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void folds(String name, NodeUsage state, NodeReport report, NodeUsage next, UsageSegment closed) {
        UsageFold.Step step = UsageFold.apply(state, report);
        assertEquals(next, step.next(), name);
        assertEquals(closed, step.closed(), name);
    }

    /**
     * Several clusters' nodes are created, become ready, run jobs (placements), go idle and are deleted in a shuffled
     * but time-ordered flow: per cluster, the time of every job plus idle time equals the sum of the node lifetimes,
     * to the millisecond.
     */
    @Test
    void jobsPlusIdleEqualNodeLifetimesPerCluster() {
        Random random = new Random(19);
        List<NodeReport> flow = new ArrayList<>();
        Map<String, Long> lifetimes = new HashMap<>();
        for (String cluster : List.of("cpu", "gpu", "spot")) {
            for (int n = 0; n < 7; n++) {
                String node = cluster + "-" + n;
                long at = random.nextInt(5_000);
                long created = at;
                Machine m =
                        new Machine("Standard_DS3_v2", cluster.equals("spot") ? "low_priority" : "dedicated", "eastus");
                flow.add(NodeReport.live(cluster, node, m, Holder.IDLE, t(at))); // created (preparing)
                at += 1 + random.nextInt(200);
                flow.add(NodeReport.live(cluster, node, m, Holder.IDLE, t(at))); // ready (idle)
                int jobs = random.nextInt(5);
                for (int j = 0; j < jobs; j++) {
                    at += random.nextInt(300); // may be 0: placed the instant it was free
                    String team = random.nextBoolean() ? "vision" : "nlp";
                    Holder h = new Holder(cluster + "-job-" + n + "-" + j, team, "u" + random.nextInt(3));
                    flow.add(NodeReport.live(cluster, node, m, h, t(at))); // busy
                    flow.add(NodeReport.live(cluster, node, m, h, t(at + 1))); // repeated busy report
                    at += 1 + random.nextInt(4_000);
                    flow.add(NodeReport.live(cluster, node, m, Holder.IDLE, t(at))); // job ended
                }
                at += random.nextInt(600);
                flow.add(NodeReport.gone(cluster, node, m, t(at).plusMillis(random.nextInt(1000)))); // deleted
                lifetimes.merge(
                        cluster,
                        java.time.Duration.between(
                                        t(created), flow.get(flow.size() - 1).at())
                                .toMillis(),
                        Long::sum);
            }
        }
        flow.sort(java.util.Comparator.comparing(NodeReport::at)); // nodes interleave; each node's own order is kept
        UsageLedger ledger = UsageLedger.empty();
        for (NodeReport r : flow) {
            ledger = ledger.apply(r);
            ledger = ledger.apply(r); // redelivered: no second effect
        }
        Instant end = t(1_000_000);
        Map<String, Long> jobs = new HashMap<>();
        Map<String, Long> idle = new HashMap<>();
        for (UsageSegment s : ledger.segments(end)) {
            (s.holder().idle() ? idle : jobs).merge(s.cluster(), s.millis(), Long::sum);
        }
        for (String cluster : lifetimes.keySet()) {
            assertEquals(
                    (long) lifetimes.get(cluster),
                    jobs.getOrDefault(cluster, 0L) + idle.getOrDefault(cluster, 0L),
                    cluster);
        }
        // the report says the same, by team and by cluster
        Rates rates = new Rates() {
            public Rate of(Machine m) {
                return new Rate(4, 0, 0.293);
            }

            public String currency() {
                return "USD";
            }
        };
        double byTeam = UsageReport.rows(ledger.segments(end), T0, end, UsageReport.By.TEAM, rates).stream()
                .mapToDouble(UsageReport.Row::nodeSeconds)
                .sum();
        long total = lifetimes.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(total / 1000.0, byTeam, 1e-6);
    }
}
