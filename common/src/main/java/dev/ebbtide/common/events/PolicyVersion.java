package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * One version of a cluster's scaling settings.
 *
 * @param version    1, 2, 3 … per cluster
 * @param principal  who made it: the caller's principal from its token, {@code file} for a cluster file, or
 *                   {@code default} for the built-in {@code local} cluster
 * @param at         when
 * @param reason     the reason given, or {@code null}
 * @param settings   the settings in force from this version on
 * @param changes    what changed against the previous version (every field for version 1)
 * @param rollbackOf the version this one restores, or {@code null}
 */
public record PolicyVersion(
        int version,
        String principal,
        Instant at,
        String reason,
        PolicySettings settings,
        List<PolicyFieldChange> changes,
        Integer rollbackOf) {
    public PolicyVersion {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
