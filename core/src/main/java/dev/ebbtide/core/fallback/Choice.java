package dev.ebbtide.core.fallback;

import java.util.Objects;

/**
 * One way a cluster's nodes can be had: a VM size and a tier ({@code dedicated} or {@code low_priority}). Choice 0 is
 * the cluster's own size and tier; the others are its ordered alternatives.
 */
public record Choice(String size, String tier) {
    public Choice {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(tier, "tier");
    }
}
