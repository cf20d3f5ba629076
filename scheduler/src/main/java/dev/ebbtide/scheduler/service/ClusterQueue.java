package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.WaitingJob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One cluster's queue: ordered for placement (as a whole, and per team for {@link FairShare}), by id for removal, and
 * counted by size for the demand event. Each change costs O(log n); nothing is re-sorted.
 */
final class ClusterQueue {
    private static final Comparator<QueueIndex.Entry> ORDER =
            (a, b) -> PlacementPlanner.QUEUE_ORDER.compare(a.waiting(), b.waiting());
    private final TreeSet<QueueIndex.Entry> ordered = new TreeSet<>(ORDER);
    /** Each team's queued jobs in queue order: fair share merges their heads. */
    private final Map<String, TreeSet<QueueIndex.Entry>> byTeam = new HashMap<>();

    private final Map<String, QueueIndex.Entry> byId = new HashMap<>();
    /** Queued jobs by the nodes each needs, kept as jobs come and go: the demand event costs O(head + sizes). */
    private final TreeMap<Integer, Integer> bySize = new TreeMap<>();

    private long nodes;

    synchronized boolean add(QueueIndex.Entry e) {
        if (byId.putIfAbsent(e.waiting().jobId(), e) != null) {
            return false;
        }
        ordered.add(e);
        byTeam.computeIfAbsent(e.waiting().team(), t -> new TreeSet<>(ORDER)).add(e);
        bySize.merge(e.queued().instanceCount(), 1, Integer::sum);
        nodes += e.queued().instanceCount();
        return true;
    }

    synchronized QueueIndex.Entry remove(String jobId) {
        QueueIndex.Entry e = byId.remove(jobId);
        if (e != null) {
            ordered.remove(e);
            TreeSet<QueueIndex.Entry> team = byTeam.get(e.waiting().team());
            if (team != null && team.remove(e) && team.isEmpty()) {
                byTeam.remove(e.waiting().team());
            }
            bySize.computeIfPresent(e.queued().instanceCount(), (size, n) -> n == 1 ? null : n - 1);
            nodes -= e.queued().instanceCount();
        }
        return e;
    }

    synchronized QueueIndex.Demand demand(int headLimit) {
        return demand(headLimit, Set.of());
    }

    /**
     * The demand of the jobs of every team but {@code held} (teams whose new jobs wait for a budget): O(head + sizes),
     * plus the held teams' queues when there are any.
     */
    synchronized QueueIndex.Demand demand(int headLimit, Set<String> held) {
        List<QueuedJob> head = new ArrayList<>(Math.min(headLimit, ordered.size()));
        Iterator<QueueIndex.Entry> it = ordered.iterator();
        while (it.hasNext() && head.size() < headLimit) {
            QueueIndex.Entry e = it.next();
            if (!held.contains(e.waiting().team())) {
                head.add(e.queued());
            }
        }
        TreeMap<Integer, Integer> sizesLeft = bySize;
        int jobs = ordered.size();
        long nodesLeft = nodes;
        if (!held.isEmpty()) {
            sizesLeft = new TreeMap<>(bySize);
            for (String team : held) {
                for (QueueIndex.Entry e : byTeam.getOrDefault(team, new TreeSet<>(ORDER))) {
                    int size = e.queued().instanceCount();
                    sizesLeft.computeIfPresent(size, (k, n) -> n == 1 ? null : n - 1);
                    jobs--;
                    nodesLeft -= size;
                }
            }
        }
        List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>(sizesLeft.size());
        sizesLeft.forEach((size, n) -> sizes.add(new ClusterDemandChangedV2.JobsOfSize(size, n)));
        return new QueueIndex.Demand(head, jobs, (int) Math.min(Integer.MAX_VALUE, nodesLeft), sizes);
    }

    /** The first {@code limit} waiting jobs in placement order. */
    synchronized List<WaitingJob> head(int limit) {
        return head(limit, Set.of());
    }

    /** The first {@code limit} waiting jobs in placement order of every team but {@code held}. */
    synchronized List<WaitingJob> head(int limit, Set<String> held) {
        List<WaitingJob> head = new ArrayList<>(Math.min(limit, ordered.size()));
        Iterator<QueueIndex.Entry> it = ordered.iterator();
        while (it.hasNext() && head.size() < limit) {
            WaitingJob w = it.next().waiting();
            if (!held.contains(w.team())) {
                head.add(w);
            }
        }
        return head;
    }

    synchronized boolean hasTeam(String team) {
        return byTeam.containsKey(team);
    }

    /** How many teams have jobs queued here. */
    synchronized int teams() {
        return byTeam.size();
    }

    /** How many teams but {@code held} have jobs queued here. */
    synchronized int teams(Set<String> held) {
        int n = byTeam.size();
        for (String team : held) {
            n -= byTeam.containsKey(team) ? 1 : 0;
        }
        return n;
    }

    /**
     * The first {@code limit} waiting jobs in fair order ({@link FairShare#order}), merged from the teams' queues:
     * O(limit × teams), whatever the depth of the queue.
     */
    synchronized FairShare.Order fairHead(
            int limit, Map<String, FairShare.Resources> using, FairShare.Cluster cluster, Map<String, Double> weights) {
        return fairHead(limit, Set.of(), using, cluster, weights);
    }

    /** {@link #fairHead(int, Map, FairShare.Cluster, Map)} of every team but {@code held}. */
    synchronized FairShare.Order fairHead(
            int limit,
            Set<String> held,
            Map<String, FairShare.Resources> using,
            FairShare.Cluster cluster,
            Map<String, Double> weights) {
        Map<String, Iterator<WaitingJob>> queues = new HashMap<>();
        byTeam.forEach((team, jobs) -> {
            if (held.contains(team)) {
                return;
            }
            Iterator<QueueIndex.Entry> it = jobs.iterator();
            queues.put(team, new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public WaitingJob next() {
                    return it.next().waiting();
                }
            });
        });
        return FairShare.order(queues, using, cluster, weights, limit);
    }

    /** The 1-based place of each of {@code ids} in placement order (those queued here): one pass, O(queue). */
    synchronized Map<String, Integer> positions(java.util.Set<String> ids) {
        Map<String, Integer> positions = new HashMap<>();
        int place = 0;
        for (QueueIndex.Entry e : ordered) {
            place++;
            if (ids.contains(e.waiting().jobId())) {
                positions.put(e.waiting().jobId(), place);
                if (positions.size() == ids.size()) {
                    break;
                }
            }
        }
        return positions;
    }

    synchronized List<QueuedJob> all() {
        List<QueuedJob> all = new ArrayList<>(ordered.size());
        ordered.forEach(e -> all.add(e.queued()));
        return all;
    }

    synchronized int size() {
        return ordered.size();
    }
}
