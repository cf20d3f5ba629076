package dev.ebbtide.core.scaling;

import java.time.Instant;

/**
 * No scale-up before {@code until}, e.g. after a failed scale-up.
 *
 * @param until  the end of the back-off; null when no end is known (a stopped compute instance: until someone starts
 *               it)
 * @param reason why, one human sentence (e.g. "quota exceeded for NCSv3 in westeurope")
 */
public record Backoff(Instant until, String reason) {
    public Backoff {
        reason = reason == null ? "" : reason;
    }

    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }
}
