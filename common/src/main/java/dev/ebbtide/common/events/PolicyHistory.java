package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * A cluster's policy versions, newest last, on the compacted {@link Topics#POLICIES} topic keyed by cluster: the
 * latest record per cluster is its whole (bounded) history, so a restarted autoscaler has it back.
 *
 * @param cluster      the cluster
 * @param versions     the last versions (at most {@link #KEPT}), oldest first
 * @param fileSettings the scale settings its cluster file had when last read, or {@code null} (no file): a file
 *                     that differs from it was edited, and becomes a new version
 * @param at           when this record was written
 */
public record PolicyHistory(String cluster, List<PolicyVersion> versions, PolicySettings fileSettings, Instant at) {
    /** Versions kept per cluster; older ones drop out of the history (their numbers are never reused). */
    public static final int KEPT = 100;

    public PolicyHistory {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }
}
