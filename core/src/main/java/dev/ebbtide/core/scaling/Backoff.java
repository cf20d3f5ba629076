package dev.ebbtide.core.scaling;

import java.time.Instant;
import java.util.Objects;

/**
 * No scale-up before {@code until}, e.g. after a failed scale-up.
 *
 * @param until  the end of the back-off
 * @param reason why, one human sentence (e.g. "quota exceeded for NCSv3 in westeurope")
 */
public record Backoff(Instant until, String reason) {
    public Backoff {
        Objects.requireNonNull(until, "until");
        reason = reason == null ? "" : reason;
    }

    public boolean activeAt(Instant now) {
        return now.isBefore(until);
    }
}
