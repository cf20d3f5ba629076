package dev.ebbtide.core.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.core.placement.FairShare.Resources;
import dev.ebbtide.core.placement.TeamQuotas.Decision;
import dev.ebbtide.core.placement.TeamQuotas.Quota;
import dev.ebbtide.core.placement.TeamQuotas.Running;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TeamQuotasTest {
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    /** 8 cores, no GPU. */
    private static final Resources CPU_NODE = Resources.node(8, 0);

    /** 8 cores, 1 GPU. */
    private static final Resources GPU_NODE = Resources.node(8, 1);

    /** A one-line row: what the quotas decide for a queue. */
    record Row(
            String name,
            Map<String, Quota> quotas,
            List<Running> running,
            List<WaitingJob> queue,
            Resources perNode,
            int free,
            int growable,
            List<String> admitted,
            Map<String, String> waiting,
            List<String> preempted) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Jobs written {@code v1 v2:2}: the team is {@code v} = vision, {@code n} = nlp, {@code x} = ops; :n nodes. */
    private static List<WaitingJob> queue(String spec) {
        List<WaitingJob> jobs = new ArrayList<>();
        long seq = 1;
        for (String w : spec.trim().split("\\s+")) {
            if (w.isEmpty()) {
                continue;
            }
            String[] p = w.split(":");
            int nodes = p.length > 1 ? Integer.parseInt(p[1]) : 1;
            jobs.add(new WaitingJob(p[0], nodes, Priority.MEDIUM, seq++, null, team(p[0])));
        }
        return jobs;
    }

    /** Running jobs written {@code v1@3 n1:2@1}: {@code @k} started k minutes after T0, {@code !} stopping. */
    private static List<Running> running(String spec) {
        List<Running> jobs = new ArrayList<>();
        for (String w : spec.trim().split("\\s+")) {
            if (w.isEmpty()) {
                continue;
            }
            boolean stopping = w.endsWith("!");
            String[] at = w.replace("!", "").split("@");
            String[] p = at[0].split(":");
            int nodes = p.length > 1 ? Integer.parseInt(p[1]) : 1;
            jobs.add(new Running(p[0], team(p[0]), nodes, T0.plusSeconds(60L * Integer.parseInt(at[1])), stopping));
        }
        return jobs;
    }

    private static String team(String id) {
        return switch (id.charAt(0)) {
            case 'v' -> "vision";
            case 'n' -> "nlp";
            case 'x' -> "ops";
            default -> "other";
        };
    }

    private static Map<String, Quota> quotas(Object... teamAndQuota) {
        Map<String, Quota> m = new LinkedHashMap<>();
        for (int i = 0; i < teamAndQuota.length; i += 2) {
            m.put((String) teamAndQuota[i], (Quota) teamAndQuota[i + 1]);
        }
        return m;
    }

    private static Quota cohort(long cores, String cohort, Long borrowingLimitCores) {
        return new Quota(cores, 0, cohort, borrowingLimitCores, null);
    }

    private static List<String> ids(String spec) {
        return spec.isBlank() ? List.of() : List.of(spec.trim().split("\\s+"));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                        new Row(
                                "within quota: admitted",
                                quotas("vision", Quota.of(32, 0)),
                                running("v0:2@0"),
                                queue("v1:2"),
                                CPU_NODE,
                                2,
                                0,
                                ids("v1"),
                                Map.of(),
                                null),
                        new Row(
                                "at quota without a cohort: waits, may borrow nothing",
                                quotas("vision", Quota.of(32, 0)),
                                running("v0:4@0"),
                                queue("v1"),
                                CPU_NODE,
                                1,
                                0,
                                ids(""),
                                Map.of("v1", "waiting: team vision uses 32 of 32 cores; it may borrow 0 more"),
                                null),
                        new Row(
                                "jobs admitted before count: the third of three waits",
                                quotas("vision", Quota.of(16, 0)),
                                running(""),
                                queue("v1 v2 v3"),
                                CPU_NODE,
                                4,
                                0,
                                ids("v1 v2"),
                                Map.of("v3", "waiting: team vision uses 16 of 16 cores; it may borrow 0 more"),
                                null),
                        new Row(
                                "a team without a quota is not limited",
                                quotas("vision", Quota.of(8, 0)),
                                running("n0:3@0"),
                                queue("n1 v1 v2"),
                                CPU_NODE,
                                1,
                                0,
                                ids("n1 v1"),
                                Map.of("v2", "waiting: team vision uses 8 of 8 cores; it may borrow 0 more"),
                                null),
                        new Row(
                                "borrow up to the limit: one node borrowed, the next waits",
                                quotas(
                                        "vision", cohort(16, "research", 8L),
                                        "nlp", cohort(32, "research", null)),
                                running("v0:2@0"),
                                queue("v1 v2"),
                                CPU_NODE,
                                4,
                                0,
                                ids("v1"),
                                Map.of("v2", "waiting: team vision uses 24 of 16 cores; it may borrow 0 more"),
                                null),
                        new Row(
                                "no lending beyond the cohort: another cohort's unused quota is not borrowed",
                                quotas(
                                        "vision", cohort(16, "research", null),
                                        "nlp", cohort(16, "research", null),
                                        "ops", cohort(64, "platform", null)),
                                running("v0:2@0 n0@0"),
                                queue("v1 v2"),
                                CPU_NODE,
                                5,
                                0,
                                ids("v1"),
                                Map.of("v2", "waiting: team vision uses 24 of 16 cores; it may borrow 0 more"),
                                null),
                        new Row(
                                "may borrow some but the job needs more: the sentence says both",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(8, "research", null)),
                                running("v0:2@0"),
                                queue("v1:2 v2"),
                                CPU_NODE,
                                4,
                                0,
                                ids("v2"),
                                Map.of(
                                        "v1",
                                        "waiting: team vision uses 16 of 16 cores; it may borrow 8 more, the job"
                                                + " needs 16"),
                                null),
                        new Row(
                                "GPUs count: a GPU job beyond the GPU quota waits on GPUs",
                                quotas("vision", new Quota(64, 2, null, null, null)),
                                running("v0:2@0"),
                                queue("v1"),
                                GPU_NODE,
                                2,
                                0,
                                ids(""),
                                Map.of("v1", "waiting: team vision uses 2 of 2 GPUs; it may borrow 0 more"),
                                null),
                        new Row(
                                "reclaim newest borrower first",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                                running("v1@1 v2@2 v3@3 n0@0"),
                                queue("n1"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                ids("v3")),
                        new Row(
                                "reclaim exactly what is needed: the newest 1-node job is given back",
                                quotas("vision", cohort(8, "research", null), "nlp", cohort(24, "research", null)),
                                running("va:1@3 vb:2@2 n0@0"),
                                queue("n1:2"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                ids("vb")),
                        new Row(
                                "reclaim takes two when two are needed, newest first",
                                quotas("vision", cohort(8, "research", null), "nlp", cohort(24, "research", null)),
                                running("v1@1 v2@2 v3@3 n0@0"),
                                queue("n1:2"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                ids("v3 v2")),
                        new Row(
                                "nothing preempted when the borrowed nodes alone do not make it fit",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                                running("v1@1 v2@2 v3@3 o1@0"),
                                queue("n1:2"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                null),
                        new Row(
                                "no reclaim while the cluster may still add the nodes",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                                running("v1@1 v2@2 v3@3"),
                                queue("n1"),
                                CPU_NODE,
                                0,
                                1,
                                ids("n1"),
                                Map.of(),
                                null),
                        new Row(
                                "no second reclaim while a preempted job is still stopping",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                                running("v1@1 v2@2 v3@3! n0@0"),
                                queue("n1"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                null),
                        new Row(
                                "no reclaim from another cohort",
                                quotas(
                                        "vision", cohort(16, "research", null),
                                        "nlp", cohort(16, "research", null),
                                        "ops", cohort(8, "platform", null)),
                                running("v1@1 v2@2 x1@3 x2@4"),
                                queue("n1"),
                                CPU_NODE,
                                0,
                                0,
                                ids("n1"),
                                Map.of(),
                                null),
                        new Row(
                                "a head beyond its own nominal quota reclaims nothing",
                                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                                running("v1@1 v2@2 n0@0 n2@0"),
                                queue("n3"),
                                CPU_NODE,
                                0,
                                0,
                                ids(""),
                                Map.of("n3", "waiting: team nlp uses 16 of 16 cores; it may borrow 0 more"),
                                null))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        Decision d =
                TeamQuotas.plan(row.queue(), row.running(), row.quotas(), row.perNode(), row.free(), row.growable());
        assertEquals(
                row.admitted(), d.admitted().stream().map(WaitingJob::jobId).toList(), "admitted");
        Map<String, String> waiting = new LinkedHashMap<>();
        d.waiting().forEach((id, w) -> waiting.put(id, w.sentence()));
        assertEquals(row.waiting(), waiting, "waiting");
        if (row.preempted() == null) {
            assertNull(d.reclaim(), "reclaim");
        } else {
            assertEquals(
                    row.preempted(),
                    d.reclaim().preempt().stream().map(Running::jobId).toList(),
                    "preempted");
        }
    }

    @Test
    void theReclaimNamesTheTeamAndItsJob() {
        Decision d = TeamQuotas.plan(
                queue("n1"),
                running("v1@1 v2@2 v3@3 n0@0"),
                quotas("vision", cohort(16, "research", null), "nlp", cohort(16, "research", null)),
                CPU_NODE,
                0,
                0);
        assertEquals("n1", d.reclaim().jobId());
        assertEquals("preempted: reclaimed by team nlp", d.reclaim().reason());
    }

    @Test
    void refusesNegativeQuotas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quota.of(-1, 0));
        assertEquals("a quota cannot be negative: -1 core(s), 0 GPU(s)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Quota(1, 0, "c", -1L, null));
    }
}
