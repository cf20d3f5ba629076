package dev.ebbtide.agent.evict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azure.ScheduledEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Azure's Scheduled Events document read as Azure writes it, the acknowledgement as Azure takes it. */
class ScheduledEventsTest {
    /** The shape of Azure's documented response (api-version 2020-07-01), a Spot eviction and a reboot. */
    static final String AZURE = """
            {
              "DocumentIncarnation": 3,
              "Events": [
                {
                  "EventId": "602d9444-d2cd-49c7-8624-8643e7171297",
                  "EventType": "Reboot",
                  "ResourceType": "VirtualMachine",
                  "Resources": ["other-vm"],
                  "EventStatus": "Scheduled",
                  "NotBefore": "Mon, 07 Dec 2026 23:55:00 GMT",
                  "Description": "Virtual machine is going to be restarted as requested by authorized user.",
                  "EventSource": "User",
                  "DurationInSeconds": 15
                },
                {
                  "EventId": "C7061BAC-AFDC-4513-B24B-AA5F13A16123",
                  "EventType": "Preempt",
                  "ResourceType": "VirtualMachine",
                  "Resources": ["ebbtide-spot_3"],
                  "EventStatus": "Scheduled",
                  "NotBefore": "Mon, 07 Dec 2026 23:50:30 GMT",
                  "Description": "",
                  "EventSource": "Platform",
                  "DurationInSeconds": -1
                }
              ]
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void readsAzuresDocumentAndFindsThePreemptForThisVm() {
        List<ScheduledEvents.Event> events = ScheduledEvents.parse(AZURE);
        assertEquals(2, events.size());
        ScheduledEvents.Event e =
                ScheduledEvents.preempt(events, "ebbtide-spot_3").orElseThrow();
        assertEquals("C7061BAC-AFDC-4513-B24B-AA5F13A16123", e.eventId());
        assertEquals(Instant.parse("2026-12-07T23:50:30Z"), e.notBefore());
        assertTrue(ScheduledEvents.preempt(events, "ebbtide-spot_4").isEmpty(), "another VM's event");
        assertTrue(ScheduledEvents.preempt(ScheduledEvents.parse(FakeImds.EMPTY), "x")
                .isEmpty());
    }

    @Test
    void aStartedEventHasNoNotBeforeAndBadDocumentsAreOneSentence() {
        String started = AZURE.replace("Mon, 07 Dec 2026 23:50:30 GMT", "");
        assertNull(ScheduledEvents.preempt(ScheduledEvents.parse(started), "ebbtide-spot_3")
                .orElseThrow()
                .notBefore());
        assertEquals(
                "the scheduled events document is not JSON",
                assertThrows(IllegalArgumentException.class, () -> ScheduledEvents.parse("<html>"))
                        .getMessage());
        assertEquals(
                "the scheduled events document has no Events array",
                assertThrows(IllegalArgumentException.class, () -> ScheduledEvents.parse("{}"))
                        .getMessage());
    }

    @Test
    void theAcknowledgementIsAzuresStartRequestsBody() {
        assertEquals("{\"StartRequests\":[{\"EventId\":\"e-1\"}]}", ScheduledEvents.acknowledgement("e-1"));
        assertEquals(List.of("e-1"), ScheduledEvents.acknowledged(ScheduledEvents.acknowledgement("e-1")));
    }

    @Test
    void theLocalDocumentReadsBackAsTheSamePreempt() {
        Instant notBefore = Instant.parse("2026-12-07T23:50:30Z");
        String doc = ScheduledEvents.preemptDocument("e-9", "spot-0", notBefore);
        ScheduledEvents.Event e =
                ScheduledEvents.preempt(ScheduledEvents.parse(doc), "spot-0").orElseThrow();
        assertEquals("e-9", e.eventId());
        assertEquals(notBefore, e.notBefore());
        assertTrue(doc.contains("\"NotBefore\":\"Mon, 07 Dec 2026 23:50:30 GMT\""), doc);
    }

    @Test
    void theWatcherSeesThePreemptOnceAndAcknowledgesItOverHttp() throws Exception {
        try (FakeImds imds = new FakeImds()) {
            EvictionWatcher w = new EvictionWatcher(
                    new ScheduledEventsSource.Imds(imds.endpoint()), "ebbtide-spot_3", Duration.ofMillis(50));
            w.pollOnce();
            assertNull(w.preempt(), "no event yet");
            imds.serve(AZURE);
            w.pollOnce();
            assertEquals("C7061BAC-AFDC-4513-B24B-AA5F13A16123", w.preempt().eventId());
            assertTrue(imds.acks.isEmpty(), "not acknowledged before the agent asks");
            w.acknowledge(w.preempt().eventId());
            w.pollOnce();
            w.pollOnce();
            assertEquals(
                    List.of("{\"StartRequests\":[{\"EventId\":\"C7061BAC-AFDC-4513-B24B-AA5F13A16123\"}]}"), imds.acks);
            assertTrue(w.acknowledged());
            assertTrue(
                    imds.requests.stream()
                            .allMatch(r -> r.endsWith("/metadata/scheduledevents?api-version=2020-07-01")),
                    imds.requests.toString());
        }
    }

    @Test
    void theFileSourceReadsTheDocumentAndWritesTheAcknowledgementBesideIt() throws IOException {
        ScheduledEventsSource.File f = new ScheduledEventsSource.File(tmp.resolve("scheduledevents.json"));
        assertTrue(ScheduledEvents.parse(f.fetch()).isEmpty(), "no file: no event");
        Files.writeString(f.file(), AZURE);
        assertEquals(2, ScheduledEvents.parse(f.fetch()).size());
        f.acknowledge(ScheduledEvents.acknowledgement("e-1"));
        assertEquals(
                List.of("e-1"),
                ScheduledEvents.acknowledged(Files.readString(tmp.resolve("scheduledevents.json.ack"))));
    }
}
