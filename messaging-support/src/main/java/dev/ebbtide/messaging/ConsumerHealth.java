package dev.ebbtide.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each channel is doing, for the readiness check {@code ebbtide-consumers}: consuming, or waiting for a
 * dependency (since when, and the last error). A waiting channel makes the service not ready; it is never a reason
 * to restart it, and it goes on by itself once the dependency is back.
 */
public final class ConsumerHealth {
    record Waiting(String dependency, Instant since, String lastError) {}

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Map<String, Boolean> channels = new ConcurrentHashMap<>();

    public void consuming(String channel) {
        channels.put(channel, true);
        waiting.remove(channel);
    }

    /** The channel waits for {@code dependency}; the first call of an outage sets {@code since}. */
    public void waitingFor(String channel, String dependency, Instant now, String lastError) {
        channels.put(channel, true);
        waiting.compute(channel, (c, w) -> new Waiting(dependency, w == null ? now : w.since(), lastError));
    }

    public boolean allConsuming() {
        return waiting.isEmpty();
    }

    /** channel → "consuming" or "waiting for PostgreSQL since 2026-…Z (last error: …)". */
    public Map<String, String> report() {
        Map<String, String> out = new TreeMap<>();
        channels.keySet().forEach(c -> out.put(c, "consuming"));
        waiting.forEach((c, w) -> out.put(
                c,
                "waiting for " + w.dependency() + " since " + w.since() + " (last error: "
                        + StrictJson.firstLine(w.lastError()) + ")"));
        return out;
    }
}
