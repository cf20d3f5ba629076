package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.WaitingJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** One cluster's queue: ordered for placement, by id for removal, and counted by size for the demand event. */
final class ClusterQueue {
    private final TreeSet<QueueIndex.Entry> ordered =
            new TreeSet<>((a, b) -> PlacementPlanner.QUEUE_ORDER.compare(a.waiting(), b.waiting()));
    private final Map<String, QueueIndex.Entry> byId = new HashMap<>();
    /** Queued jobs by the nodes each needs, kept as jobs come and go: the demand event costs O(head + sizes). */
    private final TreeMap<Integer, Integer> bySize = new TreeMap<>();

    private long nodes;

    synchronized boolean add(QueueIndex.Entry e) {
        if (byId.putIfAbsent(e.waiting().jobId(), e) != null) {
            return false;
        }
        ordered.add(e);
        bySize.merge(e.queued().instanceCount(), 1, Integer::sum);
        nodes += e.queued().instanceCount();
        return true;
    }

    synchronized QueueIndex.Entry remove(String jobId) {
        QueueIndex.Entry e = byId.remove(jobId);
        if (e != null) {
            ordered.remove(e);
            bySize.computeIfPresent(e.queued().instanceCount(), (size, n) -> n == 1 ? null : n - 1);
            nodes -= e.queued().instanceCount();
        }
        return e;
    }

    synchronized QueueIndex.Demand demand(int headLimit) {
        List<QueuedJob> head = new ArrayList<>(Math.min(headLimit, ordered.size()));
        Iterator<QueueIndex.Entry> it = ordered.iterator();
        while (it.hasNext() && head.size() < headLimit) {
            head.add(it.next().queued());
        }
        List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>(bySize.size());
        bySize.forEach((size, n) -> sizes.add(new ClusterDemandChangedV2.JobsOfSize(size, n)));
        return new QueueIndex.Demand(head, ordered.size(), (int) Math.min(Integer.MAX_VALUE, nodes), sizes);
    }

    /** The first {@code limit} waiting jobs in placement order. */
    synchronized List<WaitingJob> head(int limit) {
        List<WaitingJob> head = new ArrayList<>(Math.min(limit, ordered.size()));
        Iterator<QueueIndex.Entry> it = ordered.iterator();
        while (it.hasNext() && head.size() < limit) {
            head.add(it.next().waiting());
        }
        return head;
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
