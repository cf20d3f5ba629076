package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The queued jobs of every cluster, in memory and in placement order, so that a batch of events costs what it changed
 * and not what is queued. PostgreSQL stays the source of truth: the index is built from it on first use (after a
 * start) and changed only by {@link JobTransitions#transition} inside a transaction, with an undo entry in that
 * transaction's {@link Outgoing}; a transaction that fails undoes its changes ({@link Outgoing#undo()}).
 */
@ApplicationScoped
public class QueueIndex {
    private static final Logger LOG = Logger.getLogger(QueueIndex.class);

    /** A queued job as placement and the demand event need it. */
    record Entry(WaitingJob waiting, QueuedJob queued) {
        static Entry of(JobEntity j) {
            JobSpec spec = j.spec != null ? j.spec : j.specJson == null ? null : EventJson.read(j.specJson, JobSpec.class);
            Duration limit = spec == null || spec.timeoutSeconds() == null ? null : Duration.ofSeconds(spec.timeoutSeconds());
            return new Entry(new WaitingJob(j.id, Math.max(1, j.instanceCount), Priority.parse(j.priority), j.sequence, limit),
                    new QueuedJob(j.id, j.instanceCount, j.priority, j.submittedAt));
        }
    }

    /** A cluster's demand as the v2 demand event carries it: the head, the totals and the counts by size. */
    record Demand(List<QueuedJob> head, int jobs, int nodes, List<ClusterDemandChangedV2.JobsOfSize> bySize) {
    }

    /** One cluster's queue: ordered for placement, by id for removal, and counted by size for the demand event. */
    static final class ClusterQueue {
        private final TreeSet<Entry> ordered = new TreeSet<>((a, b) -> PlacementPlanner.QUEUE_ORDER.compare(a.waiting(), b.waiting()));
        private final Map<String, Entry> byId = new HashMap<>();
        /** Queued jobs by the nodes each needs, kept as jobs come and go: the demand event costs O(head + sizes). */
        private final TreeMap<Integer, Integer> bySize = new TreeMap<>();
        private long nodes;

        synchronized boolean add(Entry e) {
            if (byId.putIfAbsent(e.waiting().jobId(), e) != null) {
                return false;
            }
            ordered.add(e);
            bySize.merge(e.queued().instanceCount(), 1, Integer::sum);
            nodes += e.queued().instanceCount();
            return true;
        }

        synchronized Entry remove(String jobId) {
            Entry e = byId.remove(jobId);
            if (e != null) {
                ordered.remove(e);
                bySize.computeIfPresent(e.queued().instanceCount(), (size, n) -> n == 1 ? null : n - 1);
                nodes -= e.queued().instanceCount();
            }
            return e;
        }

        synchronized Demand demand(int headLimit) {
            List<QueuedJob> head = new ArrayList<>(Math.min(headLimit, ordered.size()));
            Iterator<Entry> it = ordered.iterator();
            while (it.hasNext() && head.size() < headLimit) {
                head.add(it.next().queued());
            }
            List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>(bySize.size());
            bySize.forEach((size, n) -> sizes.add(new ClusterDemandChangedV2.JobsOfSize(size, n)));
            return new Demand(head, ordered.size(), (int) Math.min(Integer.MAX_VALUE, nodes), sizes);
        }

        /** The first {@code limit} waiting jobs in placement order. */
        synchronized List<WaitingJob> head(int limit) {
            List<WaitingJob> head = new ArrayList<>(Math.min(limit, ordered.size()));
            Iterator<Entry> it = ordered.iterator();
            while (it.hasNext() && head.size() < limit) {
                head.add(it.next().waiting());
            }
            return head;
        }

        /** The 1-based place of each of {@code ids} in placement order (those queued here): one pass, O(queue). */
        synchronized Map<String, Integer> positions(java.util.Set<String> ids) {
            Map<String, Integer> positions = new HashMap<>();
            int place = 0;
            for (Entry e : ordered) {
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

    @Inject
    JobRepository jobRepository;

    private final Map<String, ClusterQueue> clusters = new ConcurrentHashMap<>();
    private volatile Uni<Void> loading;

    /**
     * Builds the index from PostgreSQL the first time it is needed (memoized; call inside a session). Every handler
     * chains this first, so nothing reads the index before it holds what the database holds.
     */
    Uni<Void> ready() {
        Uni<Void> l = loading;
        if (l == null) {
            synchronized (this) {
                if (loading == null) {
                    loading = load().memoize().indefinitely();
                }
                l = loading;
            }
        }
        return l;
    }

    private Uni<Void> load() {
        long start = System.nanoTime();
        return jobRepository.allQueued().invoke(queued -> {
            clusters.clear();
            queued.forEach(j -> queue(j.cluster).add(Entry.of(j)));
            LOG.infof("queue index built from PostgreSQL: %d queued job(s) on %d cluster(s) in %d ms", queued.size(),
                    clusters.size(), (System.nanoTime() - start) / 1_000_000);
        }).chain(() -> jobRepository.getSession()).invoke(Mutiny.Session::clear) // detached: later flushes skip them
                .replaceWithVoid().onFailure().invoke(e -> loading = null); // a failed load is tried again by the next call
    }

    /** Forgets everything: the next {@link #ready()} builds the index from PostgreSQL again. */
    synchronized void invalidate() {
        loading = null;
        clusters.clear();
    }

    /** Adds a job that became {@code Queued}; {@code out} can undo it if its transaction fails. */
    void added(JobEntity job, Outgoing out) {
        Entry e = Entry.of(job);
        if (queue(job.cluster).add(e)) {
            out.onUndo(() -> queue(job.cluster).remove(job.id));
        }
    }

    /** Removes a job that left {@code Queued}; {@code out} can undo it if its transaction fails. */
    void removed(JobEntity job, Outgoing out) {
        Entry e = queue(job.cluster).remove(job.id);
        if (e != null) {
            out.onUndo(() -> queue(job.cluster).add(e));
        }
    }

    /** The first {@code limit} waiting jobs of {@code cluster} in placement order. */
    List<WaitingJob> head(String cluster, int limit) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? List.of() : q.head(limit);
    }

    /** The 1-based queue position of each of {@code ids} queued on {@code cluster} (start estimates; read-only). */
    Map<String, Integer> positions(String cluster, java.util.Set<String> ids) {
        ClusterQueue q = clusters.get(cluster);
        return q == null || ids.isEmpty() ? Map.of() : q.positions(ids);
    }

    /** Every queued job of {@code cluster} in placement order (tests; O(queue)). */
    List<QueuedJob> queued(String cluster) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? List.of() : q.all();
    }

    /** {@code cluster}'s demand: its first {@code headLimit} queued jobs, totals and counts by size. */
    Demand demand(String cluster, int headLimit) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? new Demand(List.of(), 0, 0, List.of()) : q.demand(headLimit);
    }

    int size(String cluster) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? 0 : q.size();
    }

    /** Queued jobs over every cluster. */
    int total() {
        return clusters.values().stream().mapToInt(ClusterQueue::size).sum();
    }

    private ClusterQueue queue(String cluster) {
        return clusters.computeIfAbsent(cluster, c -> new ClusterQueue());
    }
}
