package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.common.azure.ScheduledEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Spot evictions on this machine, the way Azure gives them: a {@code Preempt} scheduled event in the same JSON the
 * instance metadata service serves, written to the node's {@code scheduledevents.json} (its agent reads that file
 * when it is not on Azure, and writes its {@code StartRequests} acknowledgement to {@code scheduledevents.json.ack}).
 * The node is gone (agent and ranks killed, record removed: eviction policy Delete) once the event is acknowledged
 * or its {@code NotBefore} has passed, whichever comes first.
 */
public final class LocalEvictions {
    /** Azure's notice for a Spot eviction (its minimum for {@code Preempt}). */
    public static final Duration NOTICE = Duration.ofSeconds(30);

    static final String FILE = "scheduledevents.json";

    private final Clock clock;

    public LocalEvictions(Clock clock) {
        this.clock = clock;
    }

    /** Gives the node its notice; returns when it is evicted at the latest. A second call keeps the first notice. */
    public Instant give(Path nodeDir, String node) throws IOException {
        Path file = nodeDir.resolve(FILE);
        Pending p = pending(nodeDir, node);
        if (p != null) {
            return p.notBefore();
        }
        Instant notBefore = clock.instant().plus(NOTICE);
        Path tmp = nodeDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, ScheduledEvents.preemptDocument(UUID.randomUUID().toString(), node, notBefore));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return notBefore;
    }

    /** True when the node has a notice that was acknowledged or whose time has come: the cloud takes it now. */
    public boolean due(Path nodeDir, String node) {
        Pending p;
        try {
            p = pending(nodeDir, node);
        } catch (IOException e) {
            return false;
        }
        if (p == null) {
            return false;
        }
        if (!clock.instant().isBefore(p.notBefore())) {
            return true;
        }
        try {
            return ScheduledEvents.acknowledged(Files.readString(nodeDir.resolve(FILE + ".ack")))
                    .contains(p.eventId());
        } catch (IOException e) {
            return false;
        }
    }

    private record Pending(String eventId, Instant notBefore) {}

    private static Pending pending(Path nodeDir, String node) throws IOException {
        String doc;
        try {
            doc = Files.readString(nodeDir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return null;
        }
        List<ScheduledEvents.Event> events;
        try {
            events = ScheduledEvents.parse(doc);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return ScheduledEvents.preempt(events, node)
                .map(e -> new Pending(e.eventId(), e.notBefore() == null ? Instant.EPOCH : e.notBefore()))
                .orElse(null);
    }
}
