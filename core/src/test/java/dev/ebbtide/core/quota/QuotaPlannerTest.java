package dev.ebbtide.core.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuotaPlannerTest {
    private static final String NCV3 = "standardNCSv3Family";

    /** limits: "name=used/limit;..." ("-" for none); units: gang unit sizes "4+2" ("-": every node on its own). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            fits entirely                         | 4 | 4   | false | false | standardNCSv3Family=0/24                          | 4 | -
            a 4-node unit with room for 3 adds nothing | 4 | 4 | false | false | standardNCSv3Family=6/24                     | 0 | waiting for quota: standardNCSv3Family uses 6 of 24 cores; a gang of 4 nodes must fit whole, room for 3
            a unit with no room at all names the quota only | 2 | 2 | false | false | standardNCSv3Family=24/24        | 0 | waiting for quota: standardNCSv3Family uses 24 of 24 cores
            single nodes fit partly               | 4 | -   | false | false | standardNCSv3Family=6/24                          | 3 | waiting for quota: standardNCSv3Family uses 6 of 24 cores
            units in order: the second waits      | 4 | 2+2 | false | false | standardNCSv3Family=6/24                          | 2 | waiting for quota: standardNCSv3Family uses 6 of 24 cores; a gang of 2 nodes must fit whole, room for 1
            a refused unit stops later ones       | 5 | 4+1 | false | false | standardNCSv3Family=6/24                          | 0 | waiting for quota: standardNCSv3Family uses 6 of 24 cores; a gang of 4 nodes must fit whole, room for 3
            nodes beyond the units fill the room  | 5 | 2   | false | false | standardNCSv3Family=6/24                          | 3 | waiting for quota: standardNCSv3Family uses 6 of 24 cores
            a unit on the low-priority total      | 3 | 3   | true  | false | standardNCSv3Family=0/24;lowPriorityCores=6/12    | 0 | waiting for quota: lowPriorityCores uses 6 of 12 cores; a gang of 3 nodes must fit whole, room for 1
            full family                           | 1 | -   | false | false | standardNCSv3Family=24/24                         | 0 | waiting for quota: standardNCSv3Family uses 24 of 24 cores
            over the limit already                | 1 | -   | false | false | standardNCSv3Family=30/24                         | 0 | waiting for quota: standardNCSv3Family uses 30 of 24 cores
            a partial node does not fit           | 1 | -   | false | false | standardNCSv3Family=20/24                         | 0 | waiting for quota: standardNCSv3Family uses 20 of 24 cores
            regional total binds                  | 4 | -   | false | false | standardNCSv3Family=0/100;cores=90/100            | 1 | waiting for quota: cores uses 90 of 100 cores
            unknown quotas do not limit           | 9 | 9   | false | false | -                                                 | 9 | -
            low priority ignores the family       | 2 | -   | true  | false | standardNCSv3Family=24/24;lowPriorityCores=0/12   | 2 | -
            low priority total binds             | 3 | -   | true  | false | standardNCSv3Family=0/24;lowPriorityCores=6/12    | 1 | waiting for quota: lowPriorityCores uses 6 of 12 cores
            approval needed, none given           | 2 | 2   | false | true  | standardNCSv3Family=0/0                           | 0 | waiting for approval of NCsv3 (quota standardNCSv3Family has no approved cores; request a quota increase for the series)
            approval needed, family unknown       | 1 | -   | true  | true  | lowPriorityCores=0/100                            | 0 | waiting for approval of NCsv3 (quota standardNCSv3Family has no approved cores; request a quota increase for the series)
            approval given                        | 2 | 2   | false | true  | standardNCSv3Family=0/12                          | 2 | -
            approval given, then full             | 3 | -   | false | true  | standardNCSv3Family=0/12                          | 2 | waiting for quota: standardNCSv3Family uses 0 of 12 cores
            """)
    void decides(
            String name,
            int nodes,
            String units,
            boolean lowPriority,
            boolean approval,
            String limits,
            int allowed,
            String wait) {
        List<Integer> unitSizes = "-".equals(units)
                ? List.of()
                : Arrays.stream(units.split("\\+")).map(Integer::valueOf).toList();
        QuotaDecision d = QuotaPlanner.plan(
                new QuotaRequest("NCsv3", NCV3, 6, nodes, lowPriority, approval, unitSizes), parse(limits));
        assertEquals(allowed, d.allowedNodes(), name);
        assertEquals("-".equals(wait) ? null : wait, d.waits() ? d.waiting().message() : null, name);
    }

    @Test
    void aRefusedUnitIsNamedInTheWait() {
        QuotaDecision.Wait w = QuotaPlanner.plan(
                        new QuotaRequest("NCsv3", NCV3, 6, 4, false, false, List.of(4)),
                        parse("standardNCSv3Family=6/24"))
                .waiting();
        assertEquals(4, w.gang());
        assertEquals(3, w.room());
        assertNull(QuotaPlanner.plan(
                        new QuotaRequest("NCsv3", NCV3, 6, 4, false, false), parse("standardNCSv3Family=6/24"))
                .waiting()
                .gang());
    }

    @Test
    void unitsLargerThanTheRequestAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new QuotaRequest("NCsv3", NCV3, 6, 3, false, false, List.of(4)));
        assertEquals("units of 4 node(s) in all exceed the 3 asked for", e.getMessage());
    }

    @Test
    void nothingRequestedNeverWaits() {
        QuotaDecision d = QuotaPlanner.plan(new QuotaRequest("NCsv3", NCV3, 6, 0, false, true), Map.of());
        assertEquals(0, d.allowedNodes());
        assertFalse(d.waits());
    }

    @Test
    void theWaitNamesItsKindAndNumbers() {
        QuotaDecision.Wait w = QuotaPlanner.plan(
                        new QuotaRequest("NCsv3", NCV3, 6, 2, false, false), parse("standardNCSv3Family=18/24"))
                .waiting();
        assertEquals(QuotaDecision.Kind.QUOTA, w.kind());
        assertEquals(NCV3, w.quota());
        assertEquals(18, w.used());
        assertEquals(24, w.limit());
        QuotaDecision.Wait a = QuotaPlanner.plan(new QuotaRequest("NCsv3", NCV3, 6, 2, false, true), Map.of())
                .waiting();
        assertEquals(QuotaDecision.Kind.APPROVAL, a.kind());
        assertTrue(a.message().startsWith("waiting for approval of NCsv3"));
        assertNull(QuotaPlanner.plan(new QuotaRequest("D", "standardDFamily", 1, 2, false, false), Map.of())
                .waiting());
    }

    private static Map<String, CoreLimit> parse(String text) {
        Map<String, CoreLimit> out = new HashMap<>();
        if (text.equals("-")) {
            return out;
        }
        for (String part : text.split(";")) {
            String[] kv = part.split("=");
            String[] ul = kv[1].split("/");
            out.put(kv[0], new CoreLimit(kv[0], Integer.parseInt(ul[0]), Integer.parseInt(ul[1])));
        }
        return out;
    }
}
