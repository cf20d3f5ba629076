package dev.ebbtide.core.estimate;

import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.SlotState;
import dev.ebbtide.core.placement.WaitingJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Estimates when a queued job starts. Pure: {@code now} is an input.
 *
 * <h2>Model</h2>
 * Strict gang FIFO in virtual time: the jobs ahead start one after the other in placement order (priority, then FIFO),
 * each on the nodes that are free earliest, at the instant its last node is free and not before the job ahead of it.
 * A node is free
 * <ul>
 *   <li>now, if it is free;</li>
 *   <li>at its running job's expected end (start + {@code limits.timeout}), if busy and the job has a time limit;</li>
 *   <li>never, if busy with a job without a time limit (assumed to keep running);</li>
 *   <li>at its expected ready time if booting ({@code since + bootTime} when not given);</li>
 *   <li>for each node the cluster may still add (up to {@code maxInstances}): {@code bootTime} after growth may start,
 *       which is now, or the end of an active {@link GrowthWait} (never, if that wait's end is unknown).</li>
 * </ul>
 * A job ahead with a time limit frees its nodes that long after it starts; without one, it keeps them.
 * So unknown durations never make the estimate too early: when they matter the estimate is either late (those jobs
 * may end sooner; the basis says "could be earlier") or unknown ({@code startAt == null}). Backfill (a later, shorter
 * job starting first) is not modelled: it never delays the head of the queue.
 *
 * <p>Cost: O(nodes + the nodes of the jobs ahead, log nodes); only the first {@link #MAX_SIMULATED} jobs ahead are
 * simulated (the caller counts the position exactly).
 */
public final class StartEstimator {
    /** Jobs ahead simulated at most; beyond it the estimate is "more than N jobs ahead". */
    public static final int MAX_SIMULATED = 1000;

    private StartEstimator() {}

    /**
     * Estimates one job.
     *
     * @param aheadCount   how many jobs are ahead in the queue (exact)
     * @param ahead        the jobs ahead in placement order (the first {@link #MAX_SIMULATED} are enough)
     * @param nodes        the job's own node count
     * @param cluster      the cluster's nodes (free, booting, busy with {@code expectedFreeAt} = expected end or null)
     * @param maxInstances the cluster's node limit
     * @param bootTime     how long a new node takes to become ready
     * @param wait         an active wait before the cluster may grow, or {@code null}
     * @param now          the time of the estimate
     */
    public static StartEstimate estimate(
            int aheadCount,
            List<WaitingJob> ahead,
            int nodes,
            List<NodeSlot> cluster,
            int maxInstances,
            Duration bootTime,
            GrowthWait wait,
            Instant now) {
        if (aheadCount > MAX_SIMULATED || ahead.size() < aheadCount) {
            return beyond(aheadCount + 1, ahead.size());
        }
        List<WaitingJob> queue = new ArrayList<>(ahead.subList(0, aheadCount));
        queue.add(new WaitingJob("self", nodes, Priority.LOW, Long.MAX_VALUE, null));
        List<StartEstimate> all = estimateQueue(queue, cluster, maxInstances, bootTime, wait, now);
        return all.get(all.size() - 1);
    }

    /** The estimate of a job at {@code position} beyond the simulated ones: the position only. */
    public static StartEstimate beyond(int position, int simulated) {
        return new StartEstimate(
                position, null, "more than " + Math.min(simulated, MAX_SIMULATED) + " jobs ahead: not estimated");
    }

    /**
     * Estimates every job of a queue's head in one pass: element {@code i} of the result is the estimate of
     * {@code queue.get(i)} (position {@code i + 1}). Pass at most {@link #MAX_SIMULATED} + 1 jobs; later ones get
     * {@link #beyond}.
     *
     * @param queue the first jobs of the cluster's queue, in placement order
     */
    public static List<StartEstimate> estimateQueue(
            List<WaitingJob> queue,
            List<NodeSlot> cluster,
            int maxInstances,
            Duration bootTime,
            GrowthWait wait,
            Instant now) {
        PriorityQueue<Instant> freeAt = new PriorityQueue<>();
        int booting = 0;
        int unknownEnds = 0;
        for (NodeSlot n : cluster) {
            if (n.state() == SlotState.FREE) {
                freeAt.add(now);
            } else if (n.state() == SlotState.BOOTING) {
                booting++;
                Instant ready = n.expectedFreeAt() != null
                        ? n.expectedFreeAt()
                        : n.since().plus(bootTime);
                freeAt.add(ready.isBefore(now) ? now : ready);
            } else if (n.expectedFreeAt() != null) {
                freeAt.add(n.expectedFreeAt().isBefore(now) ? now : n.expectedFreeAt());
            } else {
                unknownEnds++;
            }
        }
        int growth = Math.max(0, maxInstances - cluster.size());
        Instant growFrom = wait == null ? now : wait.until();
        if (growFrom != null) {
            Instant ready = (growFrom.isBefore(now) ? now : growFrom).plus(bootTime);
            for (int k = 0; k < growth; k++) {
                freeAt.add(ready);
            }
        }
        List<StartEstimate> estimates = new ArrayList<>(queue.size());
        Instant previous = now;
        int aheadWithoutLimit = 0;
        for (int i = 0; i < queue.size(); i++) {
            int position = i + 1;
            if (i > MAX_SIMULATED) {
                estimates.add(beyond(position, MAX_SIMULATED));
                continue;
            }
            String ahead = i == 0 ? "first in the queue" : i + " job(s) ahead";
            WaitingJob job = queue.get(i);
            Instant start = previous == null ? null : take(freeAt, job.nodes(), previous);
            if (start == null) {
                previous = null; // strict order: nobody behind starts before an unknown start
                estimates.add(unknown(position, ahead, unknownEnds, aheadWithoutLimit, wait, growth));
                continue;
            }
            estimates.add(new StartEstimate(
                    position,
                    start,
                    basis(ahead, start, now, booting, growth, bootTime, wait, unknownEnds, aheadWithoutLimit)));
            previous = start;
            if (job.timeLimit() != null) {
                for (int k = 0; k < job.nodes(); k++) {
                    freeAt.add(start.plus(job.timeLimit()));
                }
            } else {
                aheadWithoutLimit++;
            }
        }
        return estimates;
    }

    /** Takes the {@code count} earliest free times; the start is the last of them, not before {@code notBefore}. */
    private static Instant take(PriorityQueue<Instant> freeAt, int count, Instant notBefore) {
        if (freeAt.size() < count) {
            return null;
        }
        Instant last = notBefore;
        for (int k = 0; k < count; k++) {
            Instant t = freeAt.poll();
            if (t.isAfter(last)) {
                last = t;
            }
        }
        return last;
    }

    private static StartEstimate unknown(
            int position, String queue, int unknownEnds, int aheadWithoutLimit, GrowthWait wait, int growth) {
        List<String> why = new ArrayList<>();
        if (unknownEnds > 0) {
            why.add(unknownEnds + " busy node(s) run jobs without a time limit");
        }
        if (aheadWithoutLimit > 0) {
            why.add(aheadWithoutLimit + " job(s) ahead have no time limit");
        }
        if (wait != null && wait.until() == null && growth > 0) {
            why.add(wait.what() + " (no end known)");
        }
        if (why.isEmpty()) {
            why.add("not enough nodes within the cluster's limit");
        }
        return new StartEstimate(position, null, queue + "; unknown: " + String.join("; ", why));
    }

    private static String basis(
            String queue,
            Instant start,
            Instant now,
            int booting,
            int growth,
            Duration bootTime,
            GrowthWait wait,
            int unknownEnds,
            int aheadWithoutLimit) {
        List<String> parts = new ArrayList<>();
        parts.add(queue);
        if (!start.isAfter(now)) {
            parts.add("nodes are free now");
            return String.join("; ", parts); // what is booting or could be added does not matter then
        }
        if (booting > 0) {
            parts.add(booting + " node(s) booting");
        }
        if (growth > 0) {
            parts.add("up to " + growth + " new node(s) (~" + bootTime.toSeconds() + " s boot)");
        }
        if (wait != null && wait.until() != null && wait.until().isAfter(now)) {
            parts.add(wait.what() + " until " + wait.until());
        }
        if (unknownEnds > 0 || aheadWithoutLimit > 0) {
            parts.add("jobs without a time limit are assumed to keep their nodes, so it could be earlier");
        }
        return String.join("; ", parts);
    }
}
