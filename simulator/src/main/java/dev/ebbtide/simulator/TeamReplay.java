package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.SlotState;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Several teams on one shared cluster of a fixed number of nodes: the trace's {@code queue} column is the team (the
 * philly trace's virtual clusters are teams). Each time nodes free up or jobs arrive, the queue is ordered by the
 * scheduler's own {@link FairShare#order} (or, for comparison, by intake alone: {@link Order#FIFO}) and started by
 * {@link PlacementPlanner#planInOrder}: gang start, in order while it fits. The trace has no time limits, so nothing is
 * backfilled (as in the scheduler when limits are unknown).
 *
 * <h2>Scores</h2>
 * <ul>
 *   <li><b>Share against entitlement</b>, counted while the cluster is contended (some job waits): at each instant a
 *       team's entitlement is its weighted max-min fair share of the nodes given what it asks for (the nodes it runs
 *       plus the nodes its queued jobs need), by water-filling: no team is entitled to more than it asks for, and what
 *       one does not ask for goes to the others by weight. {@code ratio} = node-time the team got / node-time it was
 *       entitled to (1 = exactly its entitlement).</li>
 *   <li><b>Jain's fairness index</b> over the teams' ratios (teams with an entitlement): {@code (Σx)² / (n·Σx²)}, 1
 *       when every team got the same fraction of its entitlement, 1/n when one team got everything.</li>
 *   <li><b>Waits per team</b> (start − submit): mean, p95 (nearest rank) and worst.</li>
 *   <li><b>Cost</b>: the fixed cluster's node-hours from the first arrival to the last end, and the busy part of it
 *       (autoscaled cost per policy is the {@code --policy} report).</li>
 * </ul>
 */
public final class TeamReplay {
    /** How the shared queue is ordered. */
    public enum Order {
        /** Intake order only: the first burst wins. */
        FIFO("fifo"),
        /** {@link FairShare#order} with the teams' weights, as the scheduler orders a cluster's queue. */
        FAIR("fair");

        private final String word;

        Order(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** One team's figures. {@code ratio} is NaN when the team was never entitled to anything while contended. */
    public record TeamScore(
            String team,
            double weight,
            int jobs,
            int started,
            double nodeHours,
            double gotNodeHours,
            double entitledNodeHours,
            double ratio,
            double meanWaitS,
            long p95WaitS,
            long maxWaitS) {}

    /** The whole run. */
    public record Result(
            String trace,
            Order order,
            int nodes,
            Map<String, Double> weights,
            List<TeamScore> teams,
            double jain,
            double clusterNodeHours,
            double busyNodeHours,
            double contendedHours,
            double meanWaitS,
            long p95WaitS,
            long maxWaitS,
            int neverStarted) {}

    private TeamReplay() {}

    /** The entitlements by weighted water-filling of {@code capacity} over {@code demand} (both in nodes). */
    static Map<String, Double> entitlements(double capacity, Map<String, Long> demand, Map<String, Double> weights) {
        Map<String, Double> given = new TreeMap<>();
        Map<String, Long> open = new TreeMap<>();
        demand.forEach((t, d) -> {
            if (d > 0) {
                open.put(t, d);
            } else {
                given.put(t, 0.0);
            }
        });
        double left = capacity;
        while (!open.isEmpty() && left > 1e-12) {
            double w = 0;
            for (String t : open.keySet()) {
                w += weight(weights, t);
            }
            double perWeight = left / w;
            List<String> satisfied = new ArrayList<>();
            for (Map.Entry<String, Long> e : open.entrySet()) {
                if (e.getValue() <= perWeight * weight(weights, e.getKey()) + 1e-12) {
                    satisfied.add(e.getKey());
                }
            }
            if (satisfied.isEmpty()) {
                for (String t : open.keySet()) {
                    given.put(t, perWeight * weight(weights, t));
                }
                open.clear();
                left = 0;
            } else {
                for (String t : satisfied) {
                    long d = open.remove(t);
                    given.put(t, (double) d);
                    left -= d;
                }
            }
        }
        open.keySet().forEach(t -> given.put(t, 0.0));
        return given;
    }

    /** Jain's fairness index of {@code xs}: (Σx)² / (n·Σx²); 1 for an empty or all-zero list. */
    static double jain(List<Double> xs) {
        double sum = 0;
        double squares = 0;
        for (double x : xs) {
            sum += x;
            squares += x * x;
        }
        return xs.isEmpty() || squares == 0 ? 1 : sum * sum / (xs.size() * squares);
    }

    private static double weight(Map<String, Double> weights, String team) {
        return weights.getOrDefault(team, FairShare.DEFAULT_WEIGHT);
    }

    /**
     * Replays {@code trace} on one cluster of {@code nodes} nodes.
     *
     * @param weights each team's weight (missing: 1); used by {@link Order#FAIR} and for every entitlement
     */
    public static Result run(Trace trace, int nodes, Map<String, Double> weights, Order order) {
        List<Trace.Job> jobs = trace.jobs();
        int n = jobs.size();
        long[] startAt = new long[n];
        Arrays.fill(startAt, -1);
        Map<String, Integer> indexOf = new HashMap<>();
        Map<String, ArrayDeque<Integer>> queues = new TreeMap<>(); // team → queued job indexes, in intake order
        Map<String, Long> running = new TreeMap<>(); // team → nodes its running jobs hold
        Map<String, Long> queuedNodes = new TreeMap<>();
        Map<String, double[]> got = new TreeMap<>(); // team → [node-s got, node-s entitled] while contended
        for (Trace.Job j : jobs) {
            got.putIfAbsent(j.queue(), new double[2]);
        }
        PriorityQueue<long[]> ends = new PriorityQueue<>(
                Comparator.comparingLong((long[] e) -> e[0]).thenComparingLong(e -> e[1])); // [end, job index]
        Instant epoch = Instant.EPOCH;
        int free = nodes;
        int next = 0;
        int neverStarted = 0;
        long first = n == 0 ? 0 : jobs.get(0).submitS();
        long last = first;
        long t = first;
        double busyNodeS = 0;
        double contendedS = 0;
        while (next < n || !ends.isEmpty()) {
            long tNext = Math.min(
                    next < n ? jobs.get(next).submitS() : Long.MAX_VALUE,
                    ends.isEmpty() ? Long.MAX_VALUE : ends.peek()[0]);
            // account [t, tNext)
            long dt = tNext - t;
            if (dt > 0) {
                busyNodeS += (double) (nodes - free) * dt;
                boolean contended = queuedNodes.values().stream().anyMatch(q -> q > 0);
                if (contended) {
                    contendedS += dt;
                    Map<String, Long> demand = new TreeMap<>();
                    got.keySet()
                            .forEach(team -> demand.put(
                                    team, running.getOrDefault(team, 0L) + queuedNodes.getOrDefault(team, 0L)));
                    Map<String, Double> entitled = entitlements(nodes, demand, weights);
                    entitled.forEach((team, e) -> {
                        double[] g = got.get(team);
                        g[0] += (double) running.getOrDefault(team, 0L) * dt;
                        g[1] += e * dt;
                    });
                }
            }
            t = tNext;
            while (!ends.isEmpty() && ends.peek()[0] == t) {
                long[] e = ends.poll();
                Trace.Job j = jobs.get((int) e[1]);
                free += j.nodes();
                running.merge(j.queue(), (long) -j.nodes(), Long::sum);
                last = Math.max(last, t);
            }
            while (next < n && jobs.get(next).submitS() == t) {
                Trace.Job j = jobs.get(next);
                if (j.nodes() > nodes) {
                    neverStarted++;
                } else {
                    queues.computeIfAbsent(j.queue(), q -> new ArrayDeque<>()).add(next);
                    queuedNodes.merge(j.queue(), (long) j.nodes(), Long::sum);
                    indexOf.put(Integer.toString(next), next);
                }
                next++;
            }
            if (free == 0) {
                continue;
            }
            List<WaitingJob> ordered = order(order, queues, running, nodes, weights, free, jobs);
            if (ordered.isEmpty()) {
                continue;
            }
            List<NodeSlot> slots = new ArrayList<>(free);
            for (int k = 0; k < free; k++) {
                slots.add(new NodeSlot("n" + k, SlotState.FREE, epoch, null));
            }
            for (Start s : PlacementPlanner.planInOrder(ordered, slots, epoch.plusSeconds(t))) {
                int idx = indexOf.remove(s.jobId());
                Trace.Job j = jobs.get(idx);
                Integer head = queues.get(j.queue()).poll();
                if (head == null || head != idx) { // in order without backfill: each start is its team's head
                    throw new IllegalStateException("job " + j.id() + " started out of its team's order");
                }
                if (queues.get(j.queue()).isEmpty()) {
                    queues.remove(j.queue());
                }
                queuedNodes.merge(j.queue(), (long) -j.nodes(), Long::sum);
                running.merge(j.queue(), (long) j.nodes(), Long::sum);
                free -= j.nodes();
                startAt[idx] = t;
                ends.add(new long[] {t + j.durationS(), idx});
                last = Math.max(last, t + j.durationS());
            }
        }
        return result(trace, order, nodes, weights, got, startAt, busyNodeS, contendedS, first, last, neverStarted);
    }

    /** The first jobs (at most {@code limit}, one per free node at most) of the queue in {@code order}. */
    private static List<WaitingJob> order(
            Order order,
            Map<String, ArrayDeque<Integer>> queues,
            Map<String, Long> running,
            int nodes,
            Map<String, Double> weights,
            int limit,
            List<Trace.Job> jobs) {
        Map<String, Iterator<WaitingJob>> iterators = new LinkedHashMap<>();
        queues.forEach((team, q) -> {
            Iterator<Integer> it = q.iterator();
            iterators.put(team, new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public WaitingJob next() {
                    int i = it.next();
                    Trace.Job j = jobs.get(i);
                    return new WaitingJob(Integer.toString(i), j.nodes(), Priority.MEDIUM, i, null, team);
                }
            });
        });
        if (order == Order.FAIR) {
            Map<String, FairShare.Resources> using = new HashMap<>();
            running.forEach((team, r) -> using.put(team, new FairShare.Resources(r, 0, 0)));
            FairShare.Cluster cluster =
                    new FairShare.Cluster(new FairShare.Resources(nodes, 0, 0), new FairShare.Resources(1, 0, 0));
            return FairShare.order(iterators, using, cluster, weights, limit).jobs();
        }
        // FIFO: merge the teams' queues by intake sequence
        PriorityQueue<Map.Entry<WaitingJob, Iterator<WaitingJob>>> heads =
                new PriorityQueue<>(Comparator.comparing(Map.Entry::getKey, PlacementPlanner.QUEUE_ORDER));
        iterators.values().forEach(it -> heads.add(Map.entry(it.next(), it)));
        List<WaitingJob> ordered = new ArrayList<>(limit);
        while (ordered.size() < limit && !heads.isEmpty()) {
            Map.Entry<WaitingJob, Iterator<WaitingJob>> h = heads.poll();
            ordered.add(h.getKey());
            if (h.getValue().hasNext()) {
                heads.add(Map.entry(h.getValue().next(), h.getValue()));
            }
        }
        return ordered;
    }

    private static Result result(
            Trace trace,
            Order order,
            int nodes,
            Map<String, Double> weights,
            Map<String, double[]> got,
            long[] startAt,
            double busyNodeS,
            double contendedS,
            long first,
            long last,
            int neverStarted) {
        Map<String, List<Long>> waits = new TreeMap<>();
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Double> nodeS = new TreeMap<>();
        List<Long> all = new ArrayList<>();
        List<Trace.Job> jobs = trace.jobs();
        for (int i = 0; i < jobs.size(); i++) {
            Trace.Job j = jobs.get(i);
            counts.computeIfAbsent(j.queue(), q -> new int[2])[0]++;
            waits.putIfAbsent(j.queue(), new ArrayList<>());
            if (startAt[i] >= 0) {
                long w = startAt[i] - j.submitS();
                waits.get(j.queue()).add(w);
                all.add(w);
                counts.get(j.queue())[1]++;
                nodeS.merge(j.queue(), (double) j.durationS() * j.nodes(), Double::sum);
            }
        }
        List<TeamScore> teams = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<String, double[]> e : got.entrySet()) {
            String team = e.getKey();
            double[] g = e.getValue();
            double ratio = g[1] > 0 ? g[0] / g[1] : Double.NaN;
            if (g[1] > 0) {
                ratios.add(ratio);
            }
            List<Long> w = waits.get(team);
            teams.add(new TeamScore(
                    team,
                    weight(weights, team),
                    counts.get(team)[0],
                    counts.get(team)[1],
                    nodeS.getOrDefault(team, 0.0) / 3600,
                    g[0] / 3600,
                    g[1] / 3600,
                    ratio,
                    mean(w),
                    p95(w),
                    max(w)));
        }
        return new Result(
                trace.name(),
                order,
                nodes,
                weights,
                teams,
                jain(ratios),
                (double) nodes * (last - first) / 3600,
                busyNodeS / 3600,
                contendedS / 3600,
                mean(all),
                p95(all),
                max(all),
                neverStarted);
    }

    private static double mean(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).average().orElse(0);
    }

    /** The 95th percentile by nearest rank (0 for none). */
    static long p95(List<Long> xs) {
        if (xs.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
