package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.time.Instant;

/**
 * The learned part of {@code adaptive-learned}: how long the most recently idled nodes of a cluster stay idle, learned
 * from the cluster's own gaps between arrivals ({@link ArrivalHistory#bestIdleTime}).
 *
 * <p>A node removed just before the next job arrives costs that job a whole boot of wait and a boot's worth of node
 * time for its replacement; keeping it costs its idle time. So the idle time T is the one that minimises
 * {@code E[min(G, T)] + (1 + w) * boot * P(G > T)} over the observed gaps G (w = {@code missWeight}). The number of
 * nodes kept that long is the nodes the cluster is expected to ask for within T at its long-memory rate
 * ({@link ArrivalHistory#LONG}), at least one: a steadily busy cluster keeps a pool sized from its recent demand, a
 * cluster whose jobs come one by one keeps one node. The operator's idle time stays the ceiling.
 *
 * @param idleTime the learned idle time (zero when nothing is learned)
 * @param ranks    how many of the most recently idled nodes it applies to
 */
record LearnedIdle(Duration idleTime, int ranks) {

    static final LearnedIdle NONE = new LearnedIdle(Duration.ZERO, 0);

    static LearnedIdle of(AdaptivePolicy.Params p, ArrivalHistory h, Duration ceiling, Instant now) {
        if (p.missWeight() < 0 || h.last() == null || ceiling.isZero()) {
            return NONE;
        }
        Duration miss = Duration.ofMillis(Math.round(p.horizon().toMillis() * (1 + p.missWeight())));
        Duration t = h.bestIdleTime(miss, ceiling);
        if (t.isZero()) {
            return NONE;
        }
        int ranks = (int) Math.max(1, Math.floor(h.longRateAt(now) * ArrivalHistory.seconds(t) + 0.5));
        return new LearnedIdle(t, ranks);
    }

    /** Until when the idle node of recency rank {@code rank} is kept by this rule (its idle start when not at all). */
    Instant keepUntil(ScalingNode node, int rank) {
        return rank < ranks ? node.idleSince().plus(idleTime) : node.idleSince();
    }

    /** ", learned idle time T for N node(s)", or nothing. */
    String explain() {
        return ranks == 0 ? "" : ", learned idle time " + ScalingRules.seconds(idleTime) + " for " + ranks + " node(s)";
    }
}
