package dev.ebbtide.core.gang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GangRuleTest {
    private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");
    private static final Instant DEADLINE = START.plusSeconds(600);

    /**
     * states: one letter per node n0, n1, … (C creating, I idle, B busy, G gone); now: seconds after the start.
     * verdict: "all up", "wait <up>/<wanted>", or "give back <nodes> (<up>/<wanted>)".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            every node announced                      | 4 | IIII  | 30  | all up
            busy counts as up                         | 4 | IBIB  | 30  | all up
            all up after the deadline is still all up | 4 | IIII  | 900 | all up
            a replacement makes it whole              | 4 | IIIGI | 300 | all up
            3 of 4 before the deadline waits          | 4 | IIIC  | 599 | wait 3/4
            3 of 4 with the 4th failed waits          | 4 | IIIG  | 120 | wait 3/4
            nothing up yet waits                      | 2 | CC    | 0   | wait 0/2
            3 of 4 at the deadline gives the 3 back   | 4 | IIIG  | 600 | give back n0,n1,n2 (3/4)
            creating nodes are given back too         | 4 | IICC  | 601 | give back n0,n1,n2,n3 (2/4)
            a node that took a job is kept            | 4 | IBIG  | 700 | give back n0,n2 (3/4)
            nothing came up: nothing to release       | 3 | GGG   | 600 | give back  (0/3)
            """)
    void decides(String name, int wanted, String states, long seconds, String expected) {
        Map<String, MemberState> byNode = new LinkedHashMap<>();
        for (int k = 0; k < states.length(); k++) {
            byNode.put(
                    "n" + k,
                    switch (states.charAt(k)) {
                        case 'C' -> MemberState.CREATING;
                        case 'I' -> MemberState.IDLE;
                        case 'B' -> MemberState.BUSY;
                        default -> MemberState.GONE;
                    });
        }
        Gang gang = new Gang("job-1", wanted, List.copyOf(byNode.keySet()), DEADLINE);
        assertEquals(expected, render(GangRule.check(gang, byNode, START.plusSeconds(seconds))), name);
    }

    @Test
    void aNodeMissingFromTheStatesIsGone() {
        Gang gang = new Gang("job-1", 2, List.of("a", "b"), DEADLINE);
        assertEquals("give back a (1/2)", render(GangRule.check(gang, Map.of("a", MemberState.IDLE), DEADLINE)));
    }

    @Test
    void aGangAddsReplacementsOnceAndKeepsItsDeadline() {
        Gang gang = new Gang("job-1", 2, List.of("a"), DEADLINE).with(List.of("a", "b"));
        assertEquals(List.of("a", "b"), gang.nodes());
        assertEquals(DEADLINE, gang.deadline());
    }

    @Test
    void badGangsAreRefused() {
        assertEquals(
                "a gang wants at least one node, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Gang("j", 0, List.of(), DEADLINE))
                        .getMessage());
        assertEquals(
                "a unit needs at least one node, got 0",
                assertThrows(IllegalArgumentException.class, () -> new GangUnit("j", 0))
                        .getMessage());
    }

    private static String render(GangVerdict v) {
        if (v instanceof GangVerdict.AllUp) {
            return "all up";
        }
        if (v instanceof GangVerdict.Waiting w) {
            return "wait " + w.up() + "/" + w.wanted();
        }
        GangVerdict.GiveBack g = (GangVerdict.GiveBack) v;
        return "give back " + String.join(",", g.release()) + " (" + g.up() + "/" + g.wanted() + ")";
    }
}
