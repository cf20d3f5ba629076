package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.e2e.ScaleOutChecks.Act;
import dev.ebbtide.e2e.ScaleOutChecks.CloudCall;
import dev.ebbtide.e2e.ScaleOutChecks.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scale-out test's rules catch what they are meant to catch (no stack needed). */
class ScaleOutChecksTest {
    static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    static final Window KILL = new Window("kill", t(100), t(130));
    static final Window RESTART = new Window("restart", t(200), t(230));

    @Test
    void aHandoverAcrossEachRebalanceIsFine() {
        List<Act> acts =
                List.of(act("a", 10), act("a", 99), act("b", 112), act("b", 150), act("a", 215), act("a", 300));
        assertEquals(List.of(), ScaleOutChecks.handoverViolations(acts, List.of(KILL, RESTART)));
    }

    @Test
    void interleavedSendersOrAChangeWithoutARebalanceAreCaught() {
        List<String> abaInOneWindow =
                ScaleOutChecks.handoverViolations(List.of(act("a", 99), act("b", 110), act("a", 115)), List.of(KILL));
        assertEquals(1, abaInOneWindow.size(), abaInOneWindow.toString());
        assertTrue(abaInOneWindow.get(0).contains("a second change around one rebalance"), abaInOneWindow.get(0));
        List<String> noRebalance =
                ScaleOutChecks.handoverViolations(List.of(act("a", 10), act("b", 20)), List.of(KILL));
        assertTrue(noRebalance.get(0).contains("with no rebalance between"), noRebalance.toString());
    }

    @Test
    void cloudCallsShowARequestAppliedTwiceAndNodesMadeOrRemovedTwice(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("cloud-calls.log");
        Files.writeString(log, """
                2026-12-02T08:00:01Z provisioner-1 c create c-0 r1
                2026-12-02T08:00:02Z provisioner-2 c create c-1 r1
                2026-12-02T08:00:03Z provisioner-2 c delete c-0 r2
                2026-12-02T08:00:04Z provisioner-2 c delete c-0 r2
                2026-12-02T08:00:05Z provisioner-1 d create d-0 r3
                2026-12-02T08:00:06Z provisioner-1 d create d-1 reconcile
                2026-12-02T08:00:07Z provisioner-1 d create d-0 reconcile
                """);
        List<CloudCall> calls = ScaleOutChecks.readCloudCalls(log);
        assertEquals(7, calls.size());
        assertEquals(
                new CloudCall(Instant.parse("2026-12-02T08:00:01Z"), "provisioner-1", "c", "create", "c-0", "r1"),
                calls.get(0));
        List<String> v = ScaleOutChecks.cloudCallViolations(calls, Map.of("c", 2, "d", 1), Map.of("r1", 1, "r3", 1));
        assertEquals(4, v.size(), v.toString());
        assertTrue(
                v.contains("delete of c-0 by provisioner-2 at 2026-12-02T08:00:04Z, which did not exist"),
                v.toString());
        assertTrue(v.stream().anyMatch(s -> s.startsWith("create of d-0 by provisioner-1 (reconcile)")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.startsWith("cluster d held 2 nodes")), v.toString());
        assertTrue(v.contains("scale request r1 created 2 nodes for a target of 1 (applied twice)"), v.toString());

        List<CloudCall> fine = calls.subList(0, 3);
        assertEquals(List.of(), ScaleOutChecks.cloudCallViolations(fine, Map.of("c", 2), Map.of("r1", 2)));
    }

    private static Act act(String actor, int second) {
        return new Act("c", actor, t(second));
    }

    private static Instant t(int second) {
        return T0.plusSeconds(second);
    }
}
