package dev.ebbtide.console.web;

import java.util.List;
import java.util.Map;

/** The node states the cluster chart draws, one series each, in this order. */
public final class NodeCounts {
    /** The states that count towards a cluster's size, then the one a node passes on its way out. */
    public static final List<String> CHARTED = List.of("preparing", "idle", "running", "leaving");

    private NodeCounts() {}

    /** {@code preparing=1 idle=0 …}: the counts of {@link #CHARTED} as the chart script reads them. */
    public static String dataAttributes(Map<String, Object> counts) {
        StringBuilder s = new StringBuilder();
        for (String state : CHARTED) {
            Object n = counts.get(state);
            s.append(s.isEmpty() ? "" : " ").append(state).append('=').append(n instanceof Number v ? v.intValue() : 0);
        }
        return s.toString();
    }
}
