package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rules every policy obeys, with the policy-specific parts passed in: when each idle node may go, and how many
 * nodes to start ahead of demand. Keeps the invariants in one place:
 * <ul>
 *   <li>only idle nodes are removed, never preparing, busy or leaving ones;</li>
 *   <li>idle nodes a queued job is waiting for (e.g. the free part of a gang) are held;</li>
 *   <li>{@code minNodes} and {@code maxNodes} are respected (a lowered max removes idle nodes at once);</li>
 *   <li>no scale-up while backing off, and the reasons say so;</li>
 *   <li>capacity that is preparing or in flight is counted, so it is never requested twice.</li>
 * </ul>
 */
public final class ScalingRules {

    /** When an idle node may be removed. */
    @FunctionalInterface
    public interface IdleDeadline {
        /**
         * @param node        an idle node not held for the queue
         * @param recencyRank 0 for the most recently idled of these nodes, 1 for the next, ...
         * @return the instant from which the node may be removed
         */
        Instant removableFrom(ScalingNode node, int recencyRank);
    }

    /** Oldest idle first, then by name. */
    private static final Comparator<ScalingNode> OLDEST_IDLE_FIRST =
            Comparator.comparing(ScalingNode::idleSince).thenComparing(ScalingNode::name);

    private ScalingRules() {}

    /**
     * Decides with the given idle rule and no nodes ahead of demand.
     */
    public static ScalingDecision decide(
            ClusterSnapshot s, Instant now, IdleDeadline deadline, ReasonCode removeCode, String removeWhy) {
        return decide(s, now, deadline, removeCode, () -> removeWhy, 0, null);
    }

    /**
     * Decides.
     *
     * @param s          the snapshot
     * @param now        the decision time
     * @param deadline   when each idle node may be removed
     * @param removeCode the reason code of a removal at its deadline (e.g. {@link ReasonCode#IDLE_TIMEOUT})
     * @param removeWhy  the rule in words, appended to each removal message (e.g. "{@code >= 120 s}"); only called
     *                   when a node is removed
     * @param ahead      nodes wanted beyond the queue's demand (predicted demand), at least 0
     * @param aheadWhy   one sentence explaining {@code ahead}; only called when nodes are started ahead
     */
    public static ScalingDecision decide(
            ClusterSnapshot s,
            Instant now,
            IdleDeadline deadline,
            ReasonCode removeCode,
            Supplier<String> removeWhy,
            int ahead,
            Supplier<String> aheadWhy) {
        ScalingSettings settings = s.settings();
        List<ScalingReason> reasons = new ArrayList<>(4);
        int current = s.inFlight();
        int preparing = 0;
        List<ScalingNode> idle = new ArrayList<>(s.nodes().size());
        for (ScalingNode n : s.nodes()) {
            switch (n.phase()) {
                case IDLE -> {
                    idle.add(n);
                    current++;
                }
                case PREPARING -> {
                    preparing++;
                    current++;
                }
                case BUSY -> current++;
                default -> {} // leaving: not counted
            }
        }

        int demand = 0;
        int tooBig = 0;
        for (QueuedDemand.JobsOfSize size : s.queuedDemand().bySize()) {
            if (size.nodes() > settings.maxNodes()) {
                tooBig += size.jobs();
            } else {
                demand = (int) Math.min(Integer.MAX_VALUE, demand + (long) size.nodes() * size.jobs());
            }
        }
        if (tooBig > 0) {
            reasons.add(new ScalingReason(
                    ReasonCode.JOB_EXCEEDS_MAX,
                    tooBig + " queued job(s) need more than max " + settings.maxNodes() + " nodes and cannot run"));
        }

        if (!isSorted(idle)) { // callers that keep their nodes in idle order skip the sort
            idle.sort(OLDEST_IDLE_FIRST);
        }
        int supply = idle.size() + preparing + s.inFlight();
        int missing = Math.max(0, demand - supply);

        // Idle nodes held for the queue: the most recently idled ones, up to the demand.
        int held = Math.min(idle.size(), demand);
        int candidates = idle.size() - held; // idle.get(0 .. candidates-1), oldest first
        if (held > 0) {
            reasons.add(new ScalingReason(
                    ReasonCode.HELD_FOR_QUEUE,
                    held + " idle node(s) held for " + demand + " node(s) of queued demand"));
        }

        List<String> remove = new ArrayList<>();
        Instant nextCheck = null;
        int heldForMin = 0;
        for (int k = 0; k < candidates; k++) {
            ScalingNode n = idle.get(k);
            int recencyRank = candidates - 1 - k;
            int after = current - remove.size();
            if (after > settings.maxNodes()) {
                remove.add(n.name());
                reasons.add(new ScalingReason(
                        ReasonCode.ABOVE_MAX,
                        "node " + n.name() + " removed: " + after + " nodes > max " + settings.maxNodes()));
                continue;
            }
            Instant from = deadline.removableFrom(n, recencyRank);
            if (now.isBefore(from)) {
                nextCheck = earliest(nextCheck, from);
            } else if (after - 1 < settings.minNodes()) {
                heldForMin++;
            } else {
                remove.add(n.name());
                reasons.add(new ScalingReason(
                        removeCode,
                        "node " + n.name() + " idle for " + seconds(Duration.between(n.idleSince(), now)) + " "
                                + removeWhy.get()));
            }
        }
        if (heldForMin > 0) {
            reasons.add(new ScalingReason(
                    ReasonCode.HELD_FOR_MIN,
                    heldForMin + " idle node(s) past their idle time kept for min " + settings.minNodes()));
        }

        int base = current - remove.size();
        int add = 0;
        if (missing > 0) {
            add = missing;
            reasons.add(new ScalingReason(
                    ReasonCode.QUEUE_NEEDS_NODES,
                    "queue needs " + demand + " node(s), " + supply + " idle/preparing/in flight: " + missing
                            + " more"));
        }
        if (demand > 0 && preparing + s.inFlight() > 0) {
            reasons.add(new ScalingReason(
                    ReasonCode.ALREADY_IN_FLIGHT,
                    (preparing + s.inFlight()) + " node(s) preparing or in flight already count towards the queue"));
        }
        if (ahead > 0) {
            add += ahead;
            reasons.add(new ScalingReason(
                    ReasonCode.PREDICTED_DEMAND,
                    aheadWhy == null ? ahead + " node(s) started ahead of demand" : aheadWhy.get()));
        }
        if (base + add < settings.minNodes()) {
            reasons.add(
                    new ScalingReason(ReasonCode.RAISED_TO_MIN, base + add + " node(s) < min " + settings.minNodes()));
            add = settings.minNodes() - base;
        }
        if (add > 0 && s.backoff() != null && s.backoff().activeAt(now)) {
            reasons.add(new ScalingReason(
                    ReasonCode.BACKING_OFF,
                    "not adding " + add + " node(s): backing off "
                            + (s.backoff().until() == null
                                    ? "(no end known)"
                                    : "until " + s.backoff().until())
                            + (s.backoff().reason().isEmpty()
                                    ? ""
                                    : " (" + s.backoff().reason() + ")")));
            add = 0;
            nextCheck = earliest(nextCheck, s.backoff().until());
        }
        if (add > 0 && (long) base + add > settings.maxNodes()) {
            int capped = Math.max(0, settings.maxNodes() - base);
            reasons.add(new ScalingReason(
                    ReasonCode.CAPPED_AT_MAX,
                    "wanted " + (base + add) + " node(s), capped at max " + settings.maxNodes()));
            add = capped;
        }
        if (reasons.isEmpty()) {
            reasons.add(new ScalingReason(ReasonCode.NO_CHANGE, "no queued demand and no idle node due for removal"));
        }
        return new ScalingDecision(s.cluster(), base + add, remove, reasons, nextCheck);
    }

    private static boolean isSorted(List<ScalingNode> idle) {
        for (int k = 1; k < idle.size(); k++) {
            if (OLDEST_IDLE_FIRST.compare(idle.get(k - 1), idle.get(k)) > 0) {
                return false;
            }
        }
        return true;
    }

    static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /** "31 s", or "1.5 s" for fractions. */
    public static String seconds(Duration d) {
        if (d.getNano() == 0) {
            return d.getSeconds() + " s";
        }
        return (d.toMillis() / 1000.0) + " s";
    }
}
