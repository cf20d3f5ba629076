package dev.ebbtide.core.placement;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which waiting jobs start now, and on which named nodes. Pure: no I/O, no clock; {@code now} is an input.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Order.</b> Jobs are considered by priority ({@code HIGH} &gt; {@code MEDIUM} &gt; {@code LOW}), then by
 *       {@link WaitingJob#sequence()} (lower first), then by job id.</li>
 *   <li><b>Gang start.</b> A job starts on all of its {@link WaitingJob#nodes()} nodes at once, or not at all.</li>
 *   <li><b>Node choice.</b> Only {@link SlotState#FREE} nodes are used. The most recently idled node (latest
 *       {@link NodeSlot#since()}) is used first, ties broken by name; this lets the longest-idle nodes age towards
 *       their scale-down. The nodes of a {@link Start} are listed in that order (rank 0 first).</li>
 *   <li><b>In order while it fits.</b> Jobs start in order as long as each fits in the free nodes left.</li>
 *   <li><b>Backfill (EASY).</b> The first job that does not fit becomes the <em>head</em> and gets a reservation: its
 *       <em>shadow time</em> is the earliest instant at which enough nodes are expected to be free for it, counting
 *       the free nodes now plus the {@code BOOTING} and {@code BUSY} nodes with a known
 *       {@link NodeSlot#expectedFreeAt()} (an instant in the past counts as {@code now}). Nodes with an unknown
 *       {@code expectedFreeAt} are assumed to stay busy. The <em>extra</em> nodes are those expected to be free at the
 *       shadow time beyond what the head needs. A later job (in the same order) may then start now only if it fits in
 *       the free nodes left and either
 *       <ul>
 *         <li>its {@link WaitingJob#timeLimit()} is known and {@code now + timeLimit <= shadow time} (it is gone
 *             before the head needs its nodes), or</li>
 *         <li>it needs no more than the extra nodes left (it never takes a node the head needs); the extra nodes it
 *             takes are then used up.</li>
 *       </ul>
 *       If the head's shadow time is unknown (not enough nodes with a known free time), nothing is backfilled: with
 *       unknown limits the planner cannot prove that a job would not delay the head.</li>
 * </ol>
 * So a backfilled job never delays the head's reservation as computed from the known expected free times.
 */
public final class PlacementPlanner {

    /** Queue order: priority, then sequence, then job id. */
    public static final Comparator<WaitingJob> QUEUE_ORDER = Comparator.comparing(WaitingJob::priority)
            .thenComparingLong(WaitingJob::sequence)
            .thenComparing(WaitingJob::jobId);

    /** Free-node preference: most recently idled first, then by name. */
    private static final Comparator<NodeSlot> REUSE_ORDER =
            Comparator.comparing(NodeSlot::since, Comparator.reverseOrder()).thenComparing(NodeSlot::name);

    private PlacementPlanner() {}

    /**
     * Plans the jobs to start now.
     *
     * @param queue the cluster's waiting jobs, in any order
     * @param nodes the cluster's nodes (free, booting, busy), in any order
     * @param now   the decision time
     * @return the jobs to start now, in start order; empty if none
     */
    public static List<Start> plan(List<WaitingJob> queue, List<NodeSlot> nodes, Instant now) {
        if (isOrdered(queue)) {
            return planInOrder(queue, nodes, now);
        }
        List<WaitingJob> ordered = new ArrayList<>(queue);
        ordered.sort(QUEUE_ORDER);
        return planInOrder(ordered, nodes, now);
    }

    /**
     * Plans the jobs to start now with the queue taken in the order given (rule 1 replaced by the caller's order, e.g.
     * {@link FairShare#order}); every other rule, backfill included, is that of {@link #plan}: the head is the first
     * job of {@code ordered} that does not fit, and nothing backfilled delays it.
     *
     * @param ordered the cluster's waiting jobs in the order they are to be considered
     * @param nodes   the cluster's nodes (free, booting, busy), in any order
     * @param now     the decision time
     * @return the jobs to start now, in start order; empty if none
     */
    public static List<Start> planInOrder(List<WaitingJob> ordered, List<NodeSlot> nodes, Instant now) {
        if (ordered.isEmpty()) {
            return List.of();
        }
        List<NodeSlot> free = new ArrayList<>();
        for (NodeSlot n : nodes) {
            if (n.state() == SlotState.FREE) {
                free.add(n);
            }
        }
        if (free.isEmpty()) {
            return List.of();
        }
        free.sort(REUSE_ORDER);

        List<Start> starts = new ArrayList<>();
        int nextFree = 0; // free.get(nextFree..) are still free
        int i = 0;
        for (; i < ordered.size(); i++) {
            WaitingJob job = ordered.get(i);
            if (job.nodes() > free.size() - nextFree) {
                break;
            }
            starts.add(new Start(job.jobId(), names(free, nextFree, job.nodes())));
            nextFree += job.nodes();
        }
        if (i >= ordered.size() || nextFree >= free.size()) {
            return starts;
        }

        // EASY backfill behind the head job ordered.get(i).
        WaitingJob head = ordered.get(i);
        int freeNow = free.size() - nextFree;
        Instant shadow = shadowTime(head.nodes() - freeNow, nodes, now);
        if (shadow == null) {
            return starts;
        }
        int extra = freeNow + countFreeBy(shadow, nodes) - head.nodes();
        for (int j = i + 1; j < ordered.size() && nextFree < free.size(); j++) {
            WaitingJob job = ordered.get(j);
            if (job.nodes() > free.size() - nextFree) {
                continue;
            }
            boolean endsBeforeShadow =
                    job.timeLimit() != null && !now.plus(job.timeLimit()).isAfter(shadow);
            if (endsBeforeShadow) {
                starts.add(new Start(job.jobId(), names(free, nextFree, job.nodes())));
                nextFree += job.nodes();
            } else if (job.nodes() <= extra) {
                starts.add(new Start(job.jobId(), names(free, nextFree, job.nodes())));
                nextFree += job.nodes();
                extra -= job.nodes();
            }
        }
        return starts;
    }

    /** The instant at which {@code missing} more non-free nodes are expected to be free, or null if unknown. */
    private static Instant shadowTime(int missing, List<NodeSlot> nodes, Instant now) {
        List<Instant> times = new ArrayList<>();
        for (NodeSlot n : nodes) {
            if (n.state() != SlotState.FREE && n.expectedFreeAt() != null) {
                times.add(n.expectedFreeAt().isBefore(now) ? now : n.expectedFreeAt());
            }
        }
        if (times.size() < missing) {
            return null;
        }
        times.sort(null);
        return times.get(missing - 1);
    }

    private static int countFreeBy(Instant shadow, List<NodeSlot> nodes) {
        int count = 0;
        for (NodeSlot n : nodes) {
            if (n.state() != SlotState.FREE
                    && n.expectedFreeAt() != null
                    && !n.expectedFreeAt().isAfter(shadow)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isOrdered(List<WaitingJob> queue) {
        for (int k = 1; k < queue.size(); k++) {
            if (QUEUE_ORDER.compare(queue.get(k - 1), queue.get(k)) > 0) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(List<NodeSlot> free, int from, int count) {
        List<String> names = new ArrayList<>(count);
        for (int k = from; k < from + count; k++) {
            names.add(free.get(k).name());
        }
        return names;
    }
}
