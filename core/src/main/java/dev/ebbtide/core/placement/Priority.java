package dev.ebbtide.core.placement;

import java.util.Locale;

/** Azure ML {@code queue_settings.priority}: jobs of a higher priority start before lower ones. */
public enum Priority {
    HIGH,
    MEDIUM,
    LOW;

    /**
     * Parses {@code high}, {@code medium} or {@code low}, case-insensitively and ignoring surrounding blanks.
     *
     * @param s the value, or {@code null} / blank for the default
     * @return the priority; {@link #MEDIUM} for {@code null} or blank
     * @throws IllegalArgumentException for any other value
     */
    public static Priority parse(String s) {
        if (s == null || s.isBlank()) {
            return MEDIUM;
        }
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "high":
                return HIGH;
            case "medium":
                return MEDIUM;
            case "low":
                return LOW;
            default:
                throw new IllegalArgumentException("unknown priority '" + s + "' (expected high, medium or low)");
        }
    }
}
