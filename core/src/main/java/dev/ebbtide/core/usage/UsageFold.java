package dev.ebbtide.core.usage;

/**
 * The usage fold for one node: (state, report) → (state, the segment the report closed). Pure; time comes from the
 * report. A node's time from its first report to its deletion is cut into segments, each counted to one holder, so
 * the segments of a node add up to its lifetime exactly.
 *
 * <ul>
 *   <li>a report older than the state's {@code since} (redelivered, late) changes nothing;
 *   <li>a report naming the holder the node already has changes nothing (the segment goes on);
 *   <li>otherwise the running segment (if the node is live) closes at the report's time, and a new one opens for the
 *       new holder, or, for {@code gone}, the node is closed and remembered as deleted at that time.
 * </ul>
 */
public final class UsageFold {
    private UsageFold() {}

    /** The node's next state and the segment the report closed (null when none). */
    public record Step(NodeUsage next, UsageSegment closed) {}

    public static Step apply(NodeUsage state, NodeReport r) {
        if (state != null && r.at().isBefore(state.since())) {
            return new Step(state, null);
        }
        if (state == null || state.gone()) {
            if (r.gone() || (state != null && !r.at().isAfter(state.since()))) {
                return new Step(state, null); // a deletion of a node never seen live, or a report of the old life
            }
            return new Step(open(r), null);
        }
        if (!r.gone() && r.holder().equals(state.holder())) {
            return new Step(state, null);
        }
        UsageSegment closed =
                new UsageSegment(state.cluster(), state.node(), state.machine(), state.holder(), state.since(), r.at());
        NodeUsage next = r.gone()
                ? new NodeUsage(state.cluster(), state.node(), state.machine(), Holder.IDLE, true, r.at())
                : new NodeUsage(state.cluster(), state.node(), state.machine(), r.holder(), false, r.at());
        return new Step(next, closed.millis() > 0 ? closed : null);
    }

    private static NodeUsage open(NodeReport r) {
        return new NodeUsage(r.cluster(), r.node(), r.machine(), r.holder(), false, r.at());
    }

    /** The running segment of a live node, as if it closed at {@code now} (for reports); null for a gone node. */
    public static UsageSegment sofar(NodeUsage state, java.time.Instant now) {
        if (state == null || state.gone() || !now.isAfter(state.since())) {
            return null;
        }
        return new UsageSegment(state.cluster(), state.node(), state.machine(), state.holder(), state.since(), now);
    }
}
