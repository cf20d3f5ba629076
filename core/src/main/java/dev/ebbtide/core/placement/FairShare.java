package dev.ebbtide.core.placement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Orders one cluster's queue across teams by weighted <em>dominant resource fairness</em>, and says which teams it
 * holds back. Pure: no I/O, no clock.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Within a team</b> jobs keep {@link PlacementPlanner#QUEUE_ORDER}: priority, then intake sequence, then id.</li>
 *   <li><b>Priority is a tier across teams.</b> The next job is always of the best priority any team has waiting:
 *       every {@code high} job goes before every {@code medium} one whatever the shares (only teams with the right may
 *       use {@code high}, docs/teams.md), then {@code low}. Shares decide within a tier.</li>
 *   <li><b>Lowest share next.</b> Among the teams whose next job is of that priority, the team with the lowest share
 *       goes next. A team's share is its dominant fraction of the cluster, divided by its weight: the larger of its
 *       cores / the cluster's cores and its GPUs / the cluster's GPUs (a dimension the cluster has none of is left
 *       out; with neither known, nodes / the cluster's nodes). What a team uses is what it runs now plus the jobs
 *       ordered before, so one team's burst alternates with another's jobs instead of going first whole.</li>
 *   <li><b>Ties</b> go to the job with the lower intake sequence, then job id: with one team, or teams at equal share,
 *       the order is exactly {@link PlacementPlanner#QUEUE_ORDER}.</li>
 * </ol>
 * Gang start and backfill stay {@link PlacementPlanner#planInOrder}'s: it takes this order as given, so the head it
 * protects is the first job of this order that does not fit.
 *
 * <p>Cost: each team's queue is read through an iterator already in queue order (no sort); {@code limit} jobs cost
 * O(limit × (log teams + teams)).
 */
public final class FairShare {
    /** The weight of a team not named in the weights. */
    public static final double DEFAULT_WEIGHT = 1.0;

    private FairShare() {}

    /** Amounts of nodes, cores and GPUs. */
    public record Resources(long nodes, long cores, long gpus) {
        public static final Resources NONE = new Resources(0, 0, 0);

        public Resources {
            if (nodes < 0 || cores < 0 || gpus < 0) {
                throw new IllegalArgumentException("resources cannot be negative: " + nodes + " node(s), " + cores
                        + " core(s), " + gpus + " GPU(s)");
            }
        }

        /** One node of {@code cores} cores and {@code gpus} GPUs. */
        public static Resources node(long cores, long gpus) {
            return new Resources(1, cores, gpus);
        }

        public Resources plus(Resources o) {
            return new Resources(nodes + o.nodes, cores + o.cores, gpus + o.gpus);
        }

        public Resources times(long n) {
            return new Resources(nodes * n, cores * n, gpus * n);
        }
    }

    /**
     * The cluster as shares are counted against it.
     *
     * @param capacity what the cluster has (its nodes now, or its maximum)
     * @param perNode  one node's resources (a cluster's nodes are of one size); a job of n nodes uses n times this
     */
    public record Cluster(Resources capacity, Resources perNode) {
        public Cluster {
            Objects.requireNonNull(capacity, "capacity");
            Objects.requireNonNull(perNode, "perNode");
        }
    }

    /** The resource that decides a share. */
    public enum Dimension {
        CORES("cores"),
        GPUS("GPUs"),
        NODES("nodes");

        private final String word;

        Dimension(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /**
     * A team's standing as the order saw it.
     *
     * @param team     the team
     * @param using    what it runs now plus the jobs ordered before (at the moment this standing was taken)
     * @param weight   its weight
     * @param dominant the resource its share is counted in
     * @param used     its amount of {@code dominant}
     * @param capacity the cluster's amount of {@code dominant}
     * @param share    {@code used / capacity / weight}
     */
    public record Standing(
            String team, Resources using, double weight, Dimension dominant, long used, long capacity, double share) {}

    /**
     * A team held back by fair share: a job of {@code ahead} was ordered before this team's next job although that
     * job came in earlier at the same priority.
     *
     * @param team  the team held back, as it stood then
     * @param ahead the team whose job went first
     */
    public record HeldBack(Standing team, String ahead) {
        /** The one sentence a waiting job of the team shows, e.g. {@code waiting: team vision uses 24 of 32 cores (share 0.75 at weight 1); team nlp's jobs go first}. */
        public String sentence() {
            return "waiting: team " + team.team() + " uses " + team.used() + " of " + team.capacity() + " "
                    + team.dominant().word() + " (share " + number(team.share()) + " at weight " + number(team.weight())
                    + "); team " + ahead + "'s jobs go first";
        }
    }

    /**
     * The queue in fair order.
     *
     * @param jobs     the first jobs in the order they are to be considered
     * @param heldBack the teams fair share held back, by team (the first time each was passed over)
     */
    public record Order(List<WaitingJob> jobs, Map<String, HeldBack> heldBack) {
        public Order {
            jobs = List.copyOf(jobs);
            heldBack = Collections.unmodifiableMap(new LinkedHashMap<>(heldBack));
        }
    }

    /**
     * Orders the queue, reading each team's jobs from an iterator in {@link PlacementPlanner#QUEUE_ORDER}.
     *
     * @param queues  each team's waiting jobs in queue order (read lazily: at most {@code limit} jobs in all)
     * @param using   what each team runs on the cluster now (missing: nothing)
     * @param cluster the cluster's capacity and node size
     * @param weights each team's weight (missing: {@link #DEFAULT_WEIGHT})
     * @param limit   the most jobs to order
     * @return the first {@code limit} jobs in fair order, and who was held back
     */
    public static Order order(
            Map<String, ? extends Iterator<WaitingJob>> queues,
            Map<String, Resources> using,
            Cluster cluster,
            Map<String, Double> weights,
            int limit) {
        PriorityQueue<Cursor> next = new PriorityQueue<>(NEXT);
        for (Map.Entry<String, ? extends Iterator<WaitingJob>> q : queues.entrySet()) {
            if (q.getValue().hasNext()) {
                Cursor c = new Cursor(
                        q.getKey(),
                        q.getValue(),
                        using.getOrDefault(q.getKey(), Resources.NONE),
                        weights.getOrDefault(q.getKey(), DEFAULT_WEIGHT),
                        cluster.capacity());
                next.add(c);
            }
        }
        List<WaitingJob> jobs = new ArrayList<>(Math.min(limit, 1024));
        Map<String, HeldBack> held = new TreeMap<>();
        while (jobs.size() < limit && !next.isEmpty()) {
            Cursor c = next.poll();
            WaitingJob job = c.job;
            if (next.size() > 0) {
                for (Cursor other : next) { // FIFO would have taken another team's earlier job of this priority
                    if (!held.containsKey(other.team)
                            && other.job.priority() == job.priority()
                            && PlacementPlanner.QUEUE_ORDER.compare(other.job, job) < 0) {
                        held.put(other.team, new HeldBack(other.standing(), c.team));
                    }
                }
            }
            jobs.add(job);
            if (c.advance(cluster.perNode().times(job.nodes()))) {
                next.add(c);
            }
        }
        return new Order(jobs, held);
    }

    /**
     * Orders a whole queue given as a list in any order (O(n log n); tests and the simulator).
     *
     * @see #order(Map, Map, Cluster, Map, int)
     */
    public static Order order(
            List<WaitingJob> queue, Map<String, Resources> using, Cluster cluster, Map<String, Double> weights) {
        Map<String, List<WaitingJob>> byTeam = new HashMap<>();
        for (WaitingJob j : queue) {
            byTeam.computeIfAbsent(j.team(), t -> new ArrayList<>()).add(j);
        }
        Map<String, Iterator<WaitingJob>> queues = new HashMap<>();
        byTeam.forEach((team, jobs) -> {
            jobs.sort(PlacementPlanner.QUEUE_ORDER);
            queues.put(team, jobs.iterator());
        });
        return order(queues, using, cluster, weights, queue.size());
    }

    /** A team's standing with {@code using}. */
    public static Standing standing(String team, Resources using, double weight, Resources capacity) {
        Dimension dominant;
        long used;
        long cap;
        if (capacity.cores() > 0 || capacity.gpus() > 0) {
            double cores = capacity.cores() > 0 ? (double) using.cores() / capacity.cores() : -1;
            double gpus = capacity.gpus() > 0 ? (double) using.gpus() / capacity.gpus() : -1;
            boolean byGpus = gpus > cores;
            dominant = byGpus ? Dimension.GPUS : Dimension.CORES;
            used = byGpus ? using.gpus() : using.cores();
            cap = byGpus ? capacity.gpus() : capacity.cores();
        } else {
            dominant = Dimension.NODES;
            used = using.nodes();
            cap = capacity.nodes();
        }
        double fraction = cap > 0 ? (double) used / cap : used;
        return new Standing(team, using, weight, dominant, used, cap, fraction / weight);
    }

    /**
     * Parses {@code team=weight} pairs separated by commas, e.g. {@code vision=2,nlp=1}; blanks around items are
     * ignored, an empty or blank value is no weights.
     *
     * @throws IllegalArgumentException with one sentence naming the bad item
     */
    public static Map<String, Double> parseWeights(String value) {
        Map<String, Double> weights = new TreeMap<>();
        if (value == null || value.isBlank()) {
            return weights;
        }
        for (String item : value.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            String team = eq < 0 ? "" : s.substring(0, eq).trim();
            double w;
            try {
                w = eq < 0 ? Double.NaN : Double.parseDouble(s.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (team.isEmpty() || !(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(
                        "team weight '" + s + "' is not team=weight with a weight above 0 (e.g. vision=2,nlp=1)");
            }
            if (weights.put(team, w) != null) {
                throw new IllegalArgumentException("team '" + team + "' has two weights");
            }
        }
        return weights;
    }

    /** A number as a sentence shows it: at most two decimals, none when whole. */
    static String number(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString((long) d);
        }
        String s = String.format(Locale.ROOT, "%.2f", d);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** Next: best priority, then lowest share, then lowest sequence, then id, then team. */
    private static final Comparator<Cursor> NEXT = Comparator.<Cursor, Priority>comparing(c -> c.job.priority())
            .thenComparingDouble(c -> c.share)
            .thenComparingLong(c -> c.job.sequence())
            .thenComparing(c -> c.job.jobId())
            .thenComparing(c -> c.team);

    /** A team's place in its queue and what it uses, counting the jobs ordered so far. */
    private static final class Cursor {
        final String team;
        final Iterator<WaitingJob> jobs;
        final double weight;
        final Resources capacity;
        Resources using;
        double share;
        WaitingJob job;

        Cursor(String team, Iterator<WaitingJob> jobs, Resources using, double weight, Resources capacity) {
            this.team = team;
            this.jobs = jobs;
            this.weight = weight;
            this.capacity = capacity;
            this.using = using;
            this.share = standing().share();
            this.job = jobs.next();
        }

        Standing standing() {
            return FairShare.standing(team, using, weight, capacity);
        }

        /** Counts the job just ordered and moves to the next; false when the team has no more. */
        boolean advance(Resources used) {
            using = using.plus(used);
            share = standing().share();
            if (!jobs.hasNext()) {
                return false;
            }
            job = jobs.next();
            return true;
        }
    }
}
