package dev.ebbtide.core.usage;

import java.time.Instant;

/**
 * A node's usage state: since {@code since} its time has been counted to {@code holder}; or, when {@code gone}, it was
 * deleted at {@code since} (kept so a late or repeated report of its old life does not open it again).
 */
public record NodeUsage(String cluster, String node, Machine machine, Holder holder, boolean gone, Instant since) {}
