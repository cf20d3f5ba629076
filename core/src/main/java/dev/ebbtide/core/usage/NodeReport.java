package dev.ebbtide.core.usage;

import java.time.Instant;

/**
 * One fact about a node's lifetime, as the usage fold reads it: from {@code at} on, the node exists ({@code gone}
 * false) and its time is counted to {@code holder}; or the node is gone ({@code gone} true, deleted).
 */
public record NodeReport(String cluster, String node, Machine machine, Holder holder, boolean gone, Instant at) {
    public NodeReport {
        holder = holder == null ? Holder.IDLE : holder;
        machine = machine == null ? Machine.UNKNOWN : machine;
    }

    /** The node exists from {@code at} and its time goes to {@code holder} ({@link Holder#IDLE}: the cluster's). */
    public static NodeReport live(String cluster, String node, Machine machine, Holder holder, Instant at) {
        return new NodeReport(cluster, node, machine, holder, false, at);
    }

    /** The node was deleted at {@code at}. */
    public static NodeReport gone(String cluster, String node, Machine machine, Instant at) {
        return new NodeReport(cluster, node, machine, Holder.IDLE, true, at);
    }
}
