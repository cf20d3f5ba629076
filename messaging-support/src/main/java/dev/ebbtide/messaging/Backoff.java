package dev.ebbtide.messaging;

import java.time.Duration;

/** Capped exponential backoff: {@code first}, 2×, 4×, … up to {@code max}. */
public record Backoff(Duration first, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));

    /** The wait before retry number {@code attempt} (1-based). */
    public Duration delay(int attempt) {
        int shift = Math.max(0, Math.min(attempt - 1, 30));
        long millis = first.toMillis() << shift;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
