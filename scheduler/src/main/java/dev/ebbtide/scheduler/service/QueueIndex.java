package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.scheduler.persistence.ClusterMemoryEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The queued jobs of every cluster, in memory and in placement order, so that a batch of events costs what it changed
 * and not what is queued. It holds the clusters this instance owns ({@link ClusterOwnership}). PostgreSQL stays the
 * source of truth: a cluster's queue is built from it on first use after a start or after its partition was gained,
 * forgotten when its partition is lost, and changed only by {@link JobTransitions#transition} inside a transaction, with an undo entry in that
 * transaction's {@link Outgoing}; a transaction that fails undoes its changes ({@link Outgoing#undo()}).
 */
@ApplicationScoped
public class QueueIndex {
    private static final Logger LOG = Logger.getLogger(QueueIndex.class);

    /** A queued job as placement and the demand event need it. */
    record Entry(WaitingJob waiting, QueuedJob queued) {
        static Entry of(JobEntity j) {
            JobSpec spec =
                    j.spec != null ? j.spec : j.specJson == null ? null : EventJson.read(j.specJson, JobSpec.class);
            Duration limit =
                    spec == null || spec.timeoutSeconds() == null ? null : Duration.ofSeconds(spec.timeoutSeconds());
            return new Entry(
                    new WaitingJob(
                            j.id, Math.max(1, j.instanceCount), Priority.parse(j.priority), j.sequence, limit, j.team),
                    new QueuedJob(j.id, j.instanceCount, j.priority, j.submittedAt));
        }
    }

    /** A cluster's demand as the v2 demand event carries it: the head, the totals and the counts by size. */
    record Demand(List<QueuedJob> head, int jobs, int nodes, List<ClusterDemandChangedV2.JobsOfSize> bySize) {}

    @Inject
    JobRepository jobRepository;

    @Inject
    Ownership ownership;

    @Inject
    WaitReasons waitReasons;

    @Inject
    BootTimes bootTimes;

    private final Map<String, ClusterQueue> clusters = new ConcurrentHashMap<>();
    /** The highest intake sequence issued here or seen in a queue built from PostgreSQL. */
    private final java.util.concurrent.atomic.AtomicLong lastSequence = new java.util.concurrent.atomic.AtomicLong();
    /** Owned partitions whose clusters' queues are not built yet (gained since the last build). */
    private final Set<Integer> stale = new TreeSet<>();
    /** Partitions whose clusters' queues are built (owned since). */
    private final Set<Integer> built = new TreeSet<>();
    /** Whether every owned partition is to be built (at start, and after {@link #invalidate()}). */
    private boolean everything = true;
    /** The build that {@link #ready()} waits for; null when the owned partitions changed since the last one. */
    private Uni<Void> loading;
    /** The latest build started: a new one starts after it, so two never build the same partition at once. */
    private Uni<Void> lastLoad = Uni.createFrom().voidItem();

    /**
     * Builds the queues of the owned clusters not built yet from PostgreSQL (memoized until the owned partitions
     * change; call inside a session). Every handler chains this first, so nothing reads the index of a cluster before
     * it holds what the database holds.
     */
    Uni<Void> ready() {
        synchronized (this) {
            // owned but neither built nor about to be (a partition gained a moment ago): built first
            Set<Integer> missing = ownership == null || everything
                    ? Set.of()
                    : ownership.owned().stream()
                            .filter(p -> !built.contains(p) && !stale.contains(p))
                            .collect(Collectors.toSet());
            if (!missing.isEmpty()) {
                assigned(missing);
            }
            if (loading == null) {
                loading = lastLoad.onFailure()
                        .recoverWithNull()
                        .replaceWithVoid()
                        .chain(() -> Uni.createFrom().deferred(this::load))
                        .memoize()
                        .indefinitely();
                lastLoad = loading;
            }
            return loading;
        }
    }

    /** Builds what is stale when it runs (after the previous build has finished). */
    private Uni<Void> load() {
        Set<Integer> wanted;
        boolean all;
        synchronized (this) {
            all = everything;
            wanted = Set.copyOf(stale);
            if (!all && wanted.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
        }
        long start = System.nanoTime();
        Uni<List<JobEntity>> queued = all
                ? jobRepository.allQueued()
                : jobRepository
                        .queuedClusters()
                        .map(names -> names.stream()
                                .filter(c -> wanted.contains(partitionOf(c)))
                                .toList())
                        .chain(names -> names.isEmpty()
                                ? Uni.createFrom().item(List.<JobEntity>of())
                                : jobRepository.queuedOf(names));
        return queued.chain(jobs -> ClusterMemoryEntity.<ClusterMemoryEntity>listAll()
                        .map(memory -> {
                            synchronized (this) {
                                Set<Integer> restoring = all ? ownedPartitions() : wanted;
                                for (ClusterMemoryEntity m :
                                        memory) { // what the cluster's last owner learned from its events
                                    if (restoring.contains(partitionOf(m.cluster))) {
                                        waitReasons.restore(m.cluster, m.waiting());
                                        bootTimes.restore(m.cluster, m.bootTimes());
                                    }
                                }
                            }
                            return jobs;
                        }))
                .invoke(jobs -> {
                    synchronized (this) {
                        Set<Integer> now = new TreeSet<>(all ? ownedPartitions() : wanted);
                        now.retainAll(ownedPartitions()); // not one revoked meanwhile
                        clusters.keySet().removeIf(c -> all || now.contains(partitionOf(c)));
                        int[] kept = {0};
                        jobs.stream()
                                .filter(j -> now.contains(partitionOf(j.cluster)))
                                .forEach(j -> {
                                    lastSequence.accumulateAndGet(j.sequence, Math::max);
                                    queue(j.cluster).add(Entry.of(j));
                                    kept[0]++;
                                });
                        if (all) {
                            everything = false;
                            built.clear();
                        }
                        stale.removeAll(now);
                        built.addAll(now);
                        LOG.infof(
                                "queue index built from PostgreSQL for partition(s) %s: %d queued job(s) in %d ms",
                                now, kept[0], (System.nanoTime() - start) / 1_000_000);
                    }
                })
                .chain(() -> jobRepository.getSession())
                .invoke(Mutiny.Session::clear) // detached: later flushes skip them
                .replaceWithVoid()
                .onFailure()
                .invoke(e -> forget()); // a failed load is tried again by the next call
    }

    private synchronized void forget() {
        loading = null;
    }

    /**
     * The intake sequence of a job taken now: the clock's microseconds, but always above every sequence issued here
     * or held by a queue built here (a cluster taken over from an instance whose clock ran ahead keeps its order).
     * Queue order is this, never a producer's {@code submittedAt}: a backdated record does not jump the queue.
     */
    long nextSequence(java.time.Instant now) {
        long micros = java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, now);
        return lastSequence.updateAndGet(last -> Math.max(micros, last + 1));
    }

    /** The partitions gained: their clusters' queues are built from PostgreSQL by the next {@link #ready()}. */
    synchronized void assigned(Set<Integer> partitions) {
        stale.addAll(partitions);
        built.removeAll(partitions);
        loading = null;
    }

    /** The partitions lost (nothing acts for them any more): their clusters' queues are forgotten. */
    synchronized void revoked(Set<Integer> partitions) {
        stale.removeAll(partitions);
        built.removeAll(partitions);
        clusters.keySet().removeIf(c -> partitions.contains(partitionOf(c)));
    }

    /**
     * Whether this instance acts for {@code cluster} with its queue built: owned, and built by the {@link #ready()}
     * this transaction chained (a partition gained since is built by the next one). Check after {@link #ready()}.
     */
    synchronized boolean actsFor(String cluster) {
        if (ownership == null) {
            return true;
        }
        int p = ownership.partitionOf(cluster);
        return ownership.owned().contains(p) && (everything || built.contains(p));
    }

    /** Forgets everything: the next {@link #ready()} builds every owned cluster's queue from PostgreSQL again. */
    synchronized void invalidate() {
        everything = true;
        built.clear();
        loading = null;
        clusters.clear();
    }

    private int partitionOf(String cluster) {
        return ownership == null ? 0 : ownership.partitionOf(cluster);
    }

    private Set<Integer> ownedPartitions() {
        return ownership == null ? Set.of(0) : ownership.owned();
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

    /**
     * {@code cluster}'s queue for reading (start estimates): the index's when this instance owns the cluster, else
     * built from PostgreSQL for this read (O(queue); another instance owns it and keeps its index). Call in a session.
     */
    Uni<ClusterQueue> forReading(String cluster) {
        if (ownership == null || ownership.owns(cluster)) {
            ClusterQueue q = clusters.get(cluster);
            return Uni.createFrom().item(q == null ? new ClusterQueue() : q);
        }
        return JobEntity.queued(cluster).map(jobs -> {
            ClusterQueue q = new ClusterQueue();
            jobs.forEach(j -> q.add(Entry.of(j)));
            return q;
        });
    }

    /** The first {@code limit} waiting jobs of {@code cluster} in placement order. */
    List<WaitingJob> head(String cluster, int limit) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? List.of() : q.head(limit);
    }

    /** How many teams have jobs queued on {@code cluster}: with fewer than two, fair share changes nothing. */
    int teams(String cluster) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? 0 : q.teams();
    }

    /** How many teams but {@code held} ({@link TeamBudgets#held()}) have jobs queued on {@code cluster}. */
    int teams(String cluster, Set<String> held) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? 0 : q.teams(held);
    }

    /** The first {@code limit} waiting jobs of {@code cluster} in placement order, of every team but {@code held}. */
    List<WaitingJob> head(String cluster, int limit, Set<String> held) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? List.of() : q.head(limit, held);
    }

    /** The clusters owned here on which {@code team} has jobs queued. */
    List<String> clustersWith(String team) {
        return clusters.entrySet().stream()
                .filter(e -> e.getValue().hasTeam(team))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    /** Whether {@code team} has jobs queued on {@code cluster} (here, on the instance that owns it). */
    boolean hasQueued(String cluster, String team) {
        ClusterQueue q = clusters.get(cluster);
        return q != null && q.hasTeam(team);
    }

    /** The first {@code limit} waiting jobs of {@code cluster} in fair order ({@link FairShare#order}). */
    FairShare.Order fairHead(
            String cluster,
            int limit,
            Map<String, FairShare.Resources> using,
            FairShare.Cluster shape,
            Map<String, Double> weights) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? new FairShare.Order(List.of(), Map.of()) : q.fairHead(limit, using, shape, weights);
    }

    /** {@link #fairHead(String, int, Map, FairShare.Cluster, Map)} of every team but {@code held}. */
    FairShare.Order fairHead(
            String cluster,
            int limit,
            Set<String> held,
            Map<String, FairShare.Resources> using,
            FairShare.Cluster shape,
            Map<String, Double> weights) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? new FairShare.Order(List.of(), Map.of()) : q.fairHead(limit, held, using, shape, weights);
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

    /** {@code cluster}'s demand without the jobs of {@code held} (teams whose new jobs wait for a budget). */
    Demand demand(String cluster, int headLimit, Set<String> held) {
        ClusterQueue q = clusters.get(cluster);
        return q == null ? new Demand(List.of(), 0, 0, List.of()) : q.demand(headLimit, held);
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
