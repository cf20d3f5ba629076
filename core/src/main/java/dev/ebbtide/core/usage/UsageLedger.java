package dev.ebbtide.core.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage fold over many nodes, in memory: the nodes' states and the segments closed so far. What the scheduler
 * keeps in PostgreSQL (one row per node, one per closed segment), for tests and replays. Immutable: {@link #apply}
 * returns a new ledger.
 */
public record UsageLedger(Map<String, NodeUsage> nodes, List<UsageSegment> closed) {
    public static UsageLedger empty() {
        return new UsageLedger(Map.of(), List.of());
    }

    public UsageLedger apply(NodeReport r) {
        UsageFold.Step step = UsageFold.apply(nodes.get(r.node()), r);
        Map<String, NodeUsage> n = new LinkedHashMap<>(nodes);
        if (step.next() != null) {
            n.put(r.node(), step.next());
        }
        List<UsageSegment> c = closed;
        if (step.closed() != null) {
            c = new ArrayList<>(closed);
            c.add(step.closed());
        }
        return new UsageLedger(Map.copyOf(n), List.copyOf(c));
    }

    /** Every segment: the closed ones and the running ones cut at {@code now}. */
    public List<UsageSegment> segments(Instant now) {
        List<UsageSegment> all = new ArrayList<>(closed);
        nodes.values().forEach(u -> {
            UsageSegment s = UsageFold.sofar(u, now);
            if (s != null) {
                all.add(s);
            }
        });
        return all;
    }
}
