package dev.ebbtide.provisioner.cloud.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azure.ScheduledEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local Spot eviction: Azure's document for the node's agent, gone once acknowledged or at NotBefore. */
class LocalEvictionsTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path node;

    Instant now = T0;
    final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void theNodeGetsAzuresPreemptDocumentWithThirtySecondsAndGoesWhenItIsAcknowledged() throws Exception {
        LocalEvictions evictions = new LocalEvictions(clock);
        assertFalse(evictions.due(node, "spot-0"), "no notice, not due");
        assertEquals(T0.plusSeconds(30), evictions.give(node, "spot-0"));
        ScheduledEvents.Event e = ScheduledEvents.preempt(
                        ScheduledEvents.parse(Files.readString(node.resolve("scheduledevents.json"))), "spot-0")
                .orElseThrow();
        assertEquals(T0.plusSeconds(30), e.notBefore());
        now = T0.plusSeconds(5);
        assertEquals(T0.plusSeconds(30), evictions.give(node, "spot-0"), "a second eviction keeps the first notice");
        assertFalse(evictions.due(node, "spot-0"), "within the notice, not acknowledged");
        Files.writeString(node.resolve("scheduledevents.json.ack"), ScheduledEvents.acknowledgement("another-event"));
        assertFalse(evictions.due(node, "spot-0"), "another event's acknowledgement does not count");
        Files.writeString(node.resolve("scheduledevents.json.ack"), ScheduledEvents.acknowledgement(e.eventId()));
        assertTrue(evictions.due(node, "spot-0"), "acknowledged: the VM goes now");
    }

    @Test
    void theNodeGoesAtNotBeforeWhenNobodyAcknowledges() throws Exception {
        LocalEvictions evictions = new LocalEvictions(clock);
        evictions.give(node, "spot-1");
        now = T0.plusSeconds(29);
        assertFalse(evictions.due(node, "spot-1"));
        now = T0.plusSeconds(30);
        assertTrue(evictions.due(node, "spot-1"));
    }
}
