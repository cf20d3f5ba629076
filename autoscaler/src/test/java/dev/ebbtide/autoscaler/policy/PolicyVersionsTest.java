package dev.ebbtide.autoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.PolicyFieldChange;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.PolicySettings;
import dev.ebbtide.common.events.PolicyVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Versions, diffs and rollbacks, pure. */
class PolicyVersionsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final PolicySettings A = new PolicySettings(0, 4, 120, "fixed-idle");
    static final PolicySettings B = new PolicySettings(1, 4, 600, "fixed-idle");

    @Test
    void firstVersionListsEveryFieldAndLaterOnesOnlyWhatChanged() {
        PolicyHistory h1 = PolicyVersions.change(null, "c", A, "file", null, T0).orElseThrow();
        PolicyVersion v1 = PolicyVersions.current(h1).orElseThrow();
        assertEquals(1, v1.version());
        assertEquals(4, v1.changes().size());
        assertNull(v1.changes().get(0).from());

        PolicyHistory h2 = PolicyVersions.change(h1, "c", B, "alice", "night shift", T0.plusSeconds(5))
                .orElseThrow();
        PolicyVersion v2 = PolicyVersions.current(h2).orElseThrow();
        assertEquals(2, v2.version());
        assertEquals("alice", v2.principal());
        assertEquals("night shift", v2.reason());
        assertEquals(
                List.of(
                        new PolicyFieldChange("min_instances", "0", "1"),
                        new PolicyFieldChange("idle_time_before_scale_down", "120", "600")),
                v2.changes());
        assertEquals(2, h2.versions().size());
    }

    @Test
    void aChangeThatChangesNothingMakesNoVersion() {
        PolicyHistory h1 = PolicyVersions.change(null, "c", A, "file", null, T0).orElseThrow();
        assertTrue(PolicyVersions.change(h1, "c", A, "bob", "again", T0).isEmpty());
    }

    @Test
    void rollbackIsANewVersionEqualToTheOldOne() {
        PolicyHistory h = PolicyVersions.change(null, "c", A, "file", null, T0).orElseThrow();
        h = PolicyVersions.change(h, "c", B, "alice", null, T0).orElseThrow();
        h = PolicyVersions.rollback(h, "c", 1, "bob", "too costly", T0.plusSeconds(60));
        PolicyVersion v3 = PolicyVersions.current(h).orElseThrow();
        assertEquals(3, v3.version());
        assertEquals(A, v3.settings());
        assertEquals(1, v3.rollbackOf());
        assertEquals(
                List.of(
                        new PolicyFieldChange("min_instances", "1", "0"),
                        new PolicyFieldChange("idle_time_before_scale_down", "600", "120")),
                v3.changes());
        PolicyHistory same = h;
        // rolling back to the settings in force still records who did it
        assertEquals(
                4,
                PolicyVersions.current(PolicyVersions.rollback(same, "c", 3, "bob", null, T0))
                        .orElseThrow()
                        .version());
    }

    @Test
    void unknownVersionIsAClearError() {
        PolicyHistory h = PolicyVersions.change(null, "c", A, "file", null, T0).orElseThrow();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PolicyVersions.rollback(h, "c", 7, "bob", null, T0));
        assertEquals("cluster 'c' has no policy version 7; kept: 1 to 1", e.getMessage());
    }

    @Test
    void keepsTheLastHundredVersionsAndNeverReusesANumber() {
        PolicyHistory h = null;
        for (int i = 0; i < PolicyHistory.KEPT + 5; i++) {
            h = PolicyVersions.change(h, "c", new PolicySettings(0, 10 + i, 120, "fixed-idle"), "ops", null, T0)
                    .orElseThrow();
        }
        assertEquals(PolicyHistory.KEPT, h.versions().size());
        assertEquals(6, h.versions().get(0).version());
        assertEquals(
                PolicyHistory.KEPT + 5, PolicyVersions.current(h).orElseThrow().version());
        assertTrue(PolicyVersions.find(h, 5).isEmpty());
    }
}
