package dev.ebbtide.common.events;

/** A new policy version of a cluster, on the audit topic {@link Topics#POLICIES_AUDIT} (not compacted). */
public record PolicyChanged(String cluster, PolicyVersion version) {}
