package dev.ebbtide.autoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.messaging.GovernanceEvents;
import dev.ebbtide.common.events.PolicyChanged;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.PolicySettings;
import dev.ebbtide.devsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without its history from Kafka the book numbers nothing (numbering from 1 again would overwrite the history). */
class PolicyBookTest {
    @Test
    void refusesChangesWhileTheHistoryCannotBeReadAndPublishesNothing() {
        List<Object> published = new ArrayList<>();
        PolicyBook book = new PolicyBook();
        book.kafkaConfig = Map.of("bootstrap.servers", "127.0.0.1:1"); // nothing listens there
        book.loadTimeout = Duration.ofMillis(300);
        book.clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        book.events = new GovernanceEvents() {
            @Override
            public void history(PolicyHistory h) {
                published.add(h);
            }

            @Override
            public void changed(PolicyChanged c) {
                published.add(c);
            }
        };
        book.load(); // logs the failure, does not throw: the autoscaler still starts and scales
        PolicyBook.HistoryUnavailable refused = assertThrows(
                PolicyBook.HistoryUnavailable.class,
                () -> book.change("c", new PolicySettings(0, 2, 120, "fixed-idle"), "alice", null));
        assertTrue(
                refused.getMessage().startsWith("the policy history cannot be read from Kafka"), refused.getMessage());
        assertThrows(PolicyBook.HistoryUnavailable.class, () -> book.rollback("c", 1, "alice", null));
        book.fileRead("c", new PolicySettings(0, 2, 120, ""));
        assertEquals(List.of(), published);
        assertEquals(0, book.currentVersion("c"));
    }

    @Test
    void versionsRecordedByAnotherInstanceAreSeenAndAnOlderEchoDoesNotUndoALaterOne() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        PolicyHistory v1 = PolicyVersions.change(
                        null, "c", new PolicySettings(0, 2, 120, "fixed-idle"), "alice", null, t)
                .orElseThrow();
        PolicyHistory v2 = PolicyVersions.change(v1, "c", new PolicySettings(1, 2, 120, "fixed-idle"), "bob", null, t)
                .orElseThrow();
        PolicyBook book = new PolicyBook();
        book.observed(v1);
        assertEquals(1, book.currentVersion("c"));
        book.observed(v2); // recorded by another instance
        assertEquals(2, book.currentVersion("c"));
        book.observed(v1); // an older record read late
        assertEquals(2, book.currentVersion("c"));
        PolicyHistory file = PolicyVersions.withFileSettings(v2, "c", new PolicySettings(0, 3, 60, ""), t);
        book.observed(file); // same version, new file settings
        assertEquals(new PolicySettings(0, 3, 60, ""), book.fileSettings("c").orElseThrow());
    }
}
