package dev.ebbtide.core.gang;

import java.util.Objects;

/**
 * The new nodes one queued job needs, asked for as one unit: quota and approval take the unit whole or not at all, and
 * the nodes are given back if the unit is not all up in time ({@link GangRule}).
 *
 * @param jobId the queued job
 * @param nodes how many new nodes it needs (its instance count minus the idle or preparing nodes already there for it)
 */
public record GangUnit(String jobId, int nodes) {
    public GangUnit {
        Objects.requireNonNull(jobId, "jobId");
        if (nodes < 1) {
            throw new IllegalArgumentException("a unit needs at least one node, got " + nodes);
        }
    }
}
