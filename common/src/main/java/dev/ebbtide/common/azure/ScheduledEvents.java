package dev.ebbtide.common.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure: Azure's Scheduled Events document ({@code GET /metadata/scheduledevents?api-version=2020-07-01}) read, and the
 * acknowledgement written. The document is {@code {"DocumentIncarnation": n, "Events": [{"EventId", "EventType",
 * "ResourceType", "Resources", "EventStatus", "NotBefore", "Description", "EventSource", "DurationInSeconds"}]}};
 * {@code NotBefore} is an RFC 1123 time ({@code Mon, 19 Sep 2016 18:29:47 GMT}), blank once the event has started.
 * A Spot eviction is {@code EventType: Preempt}, scheduled at least 30 s ahead.
 */
public final class ScheduledEvents {
    public static final String PATH = "/metadata/scheduledevents?api-version=2020-07-01";
    public static final String PREEMPT = "Preempt";
    /** How Azure writes {@code NotBefore}: an HTTP date, two-digit day. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

    private ScheduledEvents() {}

    /** One event of the document; {@code notBefore} is null when blank (the event has started). */
    public record Event(String eventId, String eventType, String status, List<String> resources, Instant notBefore) {
        public Event {
            resources = List.copyOf(resources);
        }

        /** Whether the event is for this VM: it names it, or names no VM at all. */
        public boolean concerns(String vmName) {
            return resources.isEmpty() || resources.contains(vmName);
        }
    }

    /** The events of a document; throws {@link IllegalArgumentException} with one sentence when it is not one. */
    public static List<Event> parse(String document) {
        JsonNode doc;
        try {
            doc = EventJson.mapper().readTree(document);
        } catch (IOException e) {
            throw new IllegalArgumentException("the scheduled events document is not JSON");
        }
        if (doc == null || !doc.isObject() || !doc.path("Events").isArray()) {
            throw new IllegalArgumentException("the scheduled events document has no Events array");
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode e : doc.path("Events")) {
            String id = e.path("EventId").asText("");
            if (id.isEmpty()) {
                continue;
            }
            List<String> resources = new ArrayList<>();
            e.path("Resources").forEach(r -> resources.add(r.asText()));
            events.add(new Event(
                    id,
                    e.path("EventType").asText(""),
                    e.path("EventStatus").asText(""),
                    resources,
                    notBefore(e.path("NotBefore").asText(""))));
        }
        return events;
    }

    /** The first {@code Preempt} event for this VM, if any. */
    public static Optional<Event> preempt(List<Event> events, String vmName) {
        return events.stream()
                .filter(e -> PREEMPT.equals(e.eventType()) && e.concerns(vmName))
                .findFirst();
    }

    /** The body of the acknowledgement ({@code POST}): {@code {"StartRequests":[{"EventId":"…"}]}}. */
    public static String acknowledgement(String eventId) {
        ObjectNode body = EventJson.mapper().createObjectNode();
        body.putArray("StartRequests").addObject().put("EventId", eventId);
        return body.toString();
    }

    /** The event ids a {@code StartRequests} body acknowledges (the local provider and tests read it). */
    public static List<String> acknowledged(String body) {
        List<String> ids = new ArrayList<>();
        try {
            EventJson.mapper()
                    .readTree(body)
                    .path("StartRequests")
                    .forEach(r -> ids.add(r.path("EventId").asText("")));
        } catch (IOException e) {
            return List.of();
        }
        return ids;
    }

    /** A document with one {@code Preempt} event for one VM, as Azure serves it (the local provider writes it). */
    public static String preemptDocument(String eventId, String vmName, Instant notBefore) {
        ObjectNode doc = EventJson.mapper().createObjectNode();
        doc.put("DocumentIncarnation", 1);
        ObjectNode e = doc.putArray("Events").addObject();
        e.put("EventId", eventId);
        e.put("EventStatus", "Scheduled");
        e.put("EventType", PREEMPT);
        e.put("ResourceType", "VirtualMachine");
        e.putArray("Resources").add(vmName);
        e.put("NotBefore", HTTP_DATE.format(notBefore.atZone(java.time.ZoneOffset.UTC)));
        e.put("Description", "The virtual machine is being evicted");
        e.put("EventSource", "Platform");
        e.put("DurationInSeconds", -1);
        return doc.toString();
    }

    private static Instant notBefore(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text.trim());
            } catch (DateTimeParseException e2) {
                return null; // unreadable: treated as started (the agent acts at once)
            }
        }
    }
}
