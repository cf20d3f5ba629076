package dev.ebbtide.devsupport;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** A {@code --since} value: an age such as {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}, or an ISO-8601 instant. */
final class Since {
    private Since() {}

    /** @throws IllegalArgumentException with one sentence for anything else */
    static Instant parse(String value, Instant now) {
        if (value.matches("\\d+[smhd]")) {
            long n = Long.parseLong(value.substring(0, value.length() - 1));
            Duration d = switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since takes an age like 2h or 30m, or an instant like "
                    + "2026-01-01T00:00:00Z, not '" + value + "'");
        }
    }
}
