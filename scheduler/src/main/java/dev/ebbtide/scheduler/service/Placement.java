package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.placement.FairShare;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import dev.ebbtide.scheduler.persistence.NodeRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Runs the pure {@link PlacementPlanner} on a cluster's queue (from the in-memory {@link QueueIndex}) and stored nodes,
 * and records the starts it decides. Handlers only mark a cluster as touched ({@link #place}); placement runs once per
 * touched cluster at the end of the transaction ({@link #placeTouched}), so a batch costs its records plus the clusters
 * they touch, whatever the depth of any queue. With two or more teams queued on a cluster, the queue is taken in fair
 * order ({@link FairShares}, {@link FairShare#order}): the jobs the nodes run are read for the teams' use. The jobs of a
 * team at its budget's hard limit ({@link TeamBudgets#held()}) neither start nor count in the demand. With teams'
 * quotas set, only the jobs they admit are placed, and a team's reclaim preempts borrowing jobs
 * ({@link TeamQuotaAdmission}).
 */
@ApplicationScoped
class Placement {
    private static final Logger LOG = Logger.getLogger(Placement.class);

    /**
     * The waiting jobs placement looks at, in queue order (like Slurm's {@code bf_max_job_test}): with free nodes the
     * first of them start, and backfill looks no further.
     */
    static final int WINDOW = 1000;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    JobTransitions transitions;

    @Inject
    QueueIndex index;

    @Inject
    JobRepository jobRepository;

    @Inject
    NodeRepository nodeRepository;

    @Inject
    BootTimes bootTimes;

    @Inject
    SchedulerConfig config;

    @Inject
    FairShares shares;

    @Inject
    TeamBudgets budgets;

    @Inject
    TeamQuotaAdmission quotas;

    /** Marks the cluster for placement at the end of the transaction. */
    Uni<Void> place(String cluster, Outgoing out) {
        out.touched.add(cluster);
        return Uni.createFrom().voidItem();
    }

    /** Places on every touched cluster, in the order they were touched, and publishes each one's demand. */
    Uni<Void> placeTouched(Outgoing out) {
        if (out.touched.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> clusters = List.copyOf(out.touched);
        return nodeRepository
                .ofClusters(clusters)
                .chain(
                        all -> { // one query for every touched cluster
                            Map<String, List<NodeEntity>> byCluster =
                                    all.stream().collect(Collectors.groupingBy(n -> n.cluster));
                            return InOrder.each(clusters, c -> placeNow(c, byCluster.getOrDefault(c, List.of()), out));
                        });
    }

    /**
     * Starts every job the planner says can start now, then publishes the cluster's remaining demand. The planner
     * first sees the nodes with no expected free time at all, which starts jobs in queue order only (never a backfill:
     * a reservation computed from part of the expected times could come later than the real one, and a job
     * backfilled against it could delay the head). Only if that leaves free nodes, waiting jobs and nodes that will
     * free up is the plan made again with every known time ({@link NodeSlots}: booting nodes' ready times, and the
     * running jobs' ends, for which those jobs are read), so backfill costs a query only when it could start
     * something.
     */
    private Uni<Void> placeNow(String cluster, List<NodeEntity> nodes, Outgoing out) {
        Instant now = clock.instant();
        boolean anyFree = nodes.stream().anyMatch(NodeEntity::isFree);
        // with quotas, a pass without free nodes still runs: a team may need its lent nodes reclaimed
        if (index.size(cluster) == 0 || (!anyFree && !quotas.enabled())) {
            out.demand.add(demand(cluster, nodes, now));
            return Uni.createFrom().voidItem();
        }
        Set<String> held = budgets.held(); // teams at their budget's hard limit: their jobs wait
        if (index.teams(cluster, held) < 2 && !quotas.enabled()) { // one team: fair order is queue order
            shares.record(cluster, Map.of());
            return placeInOrder(cluster, nodes, index.head(cluster, WINDOW, held), null, now, out);
        }
        Uni<List<JobEntity>> running = NodeSlots.anyJob(nodes)
                ? jobRepository.byIds(NodeSlots.jobIds(nodes))
                : Uni.createFrom().item(List.of());
        return running.chain(jobs -> {
            List<WaitingJob> ordered;
            if (index.teams(cluster, held) < 2) {
                shares.record(cluster, Map.of());
                ordered = index.head(cluster, WINDOW, held);
            } else {
                Map<String, FairShare.Resources> using = FairShares.using(nodes, jobs);
                FairShare.Order order = index.fairHead(
                        cluster, WINDOW, held, using, FairShares.cluster(nodes, using), shares.weights());
                shares.record(cluster, order.heldBack());
                ordered = order.jobs();
            }
            return quotas.admit(cluster, ordered, nodes, jobs, out).chain(admitted -> {
                if (!anyFree) {
                    out.demand.add(demand(cluster, nodes, now));
                    return Uni.createFrom().voidItem();
                }
                return placeInOrder(cluster, nodes, admitted, jobs, now, out);
            });
        });
    }

    /**
     * Places {@code queue}, taken in the order given ({@link PlacementPlanner#planInOrder}). {@code running} are the
     * jobs the nodes run when already read (fair share read them), else null: read only if a backfill needs them.
     */
    private Uni<Void> placeInOrder(
            String cluster,
            List<NodeEntity> nodes,
            List<WaitingJob> queue,
            List<JobEntity> running,
            Instant now,
            Outgoing out) {
        List<Start> inOrder = PlacementPlanner.planInOrder(queue, NodeSlots.of(nodes, Map.of(), null), now);
        Uni<List<Start>> planned;
        if (!mayBackfill(queue, nodes, inOrder)) {
            planned = Uni.createFrom().item(inOrder);
        } else {
            Duration bootTime = bootTimes.of(cluster, config.scheduler().nodeBootTime());
            Uni<List<JobEntity>> jobs = running != null
                    ? Uni.createFrom().item(running)
                    : NodeSlots.anyJob(nodes)
                            ? jobRepository.byIds(NodeSlots.jobIds(nodes))
                            : Uni.createFrom().item(List.of());
            planned = jobs.map(r -> PlacementPlanner.planInOrder(
                    queue, NodeSlots.of(nodes, NodeSlots.expectedEnds(r, now), bootTime), now));
        }
        return planned.chain(starts -> start(cluster, nodes, queue, starts, now, out));
    }

    /**
     * Whether a backfill could start something beyond the jobs started in order: free nodes and waiting jobs are left,
     * and some node is busy or booting (something the head could wait for).
     */
    static boolean mayBackfill(List<WaitingJob> queue, List<NodeEntity> nodes, List<Start> inOrder) {
        int used = inOrder.stream().mapToInt(s -> s.nodes().size()).sum();
        long free = nodes.stream().filter(NodeEntity::isFree).count();
        return used < free
                && inOrder.size() < queue.size()
                && nodes.stream().anyMatch(n -> !n.isFree() && (n.jobId != null || n.state.isLive()));
    }

    private Uni<Void> start(
            String cluster,
            List<NodeEntity> nodes,
            List<WaitingJob> queue,
            List<Start> starts,
            Instant now,
            Outgoing out) {
        if (starts.isEmpty()) {
            out.demand.add(demand(cluster, nodes, now));
            return Uni.createFrom().voidItem();
        }
        Set<String> backfilled = backfilled(queue, starts);
        List<String> ids = starts.stream().map(Start::jobId).toList();
        return jobRepository
                .byIds(ids)
                .invoke(jobs -> {
                    Map<String, JobEntity> byId = jobs.stream().collect(Collectors.toMap(j -> j.id, j -> j));
                    Map<String, NodeEntity> nodeByName = nodes.stream().collect(Collectors.toMap(n -> n.name, n -> n));
                    for (Start start : starts) {
                        JobEntity job = byId.get(start.jobId());
                        transitions.apply(job, new JobEvent.Placed(start.nodes()), 0, out);
                        List<NodeEntity> placed =
                                start.nodes().stream().map(nodeByName::get).toList();
                        placed.forEach(n -> {
                            n.jobId = job.id;
                            n.attempt = job.attempt;
                        });
                        registry.timer("ebbtide_scheduler_queue_wait_seconds", "cluster", cluster)
                                .record(Duration.between(job.submittedAt, now));
                        if (backfilled.contains(job.id)) {
                            registry.counter("ebbtide_scheduler_backfills_total", "cluster", cluster)
                                    .increment();
                            LOG.infof(
                                    "job %s on %s: backfilled on %s ahead of waiting job %s",
                                    job.id, cluster, start.nodes(), firstWaiting(queue, starts));
                        }
                        out.assignments.add(new JobAssigned(
                                job.id,
                                cluster,
                                start.nodes(),
                                EventJson.read(job.specJson, JobSpec.class),
                                job.attempt,
                                addresses(placed),
                                ports(placed),
                                now));
                    }
                    out.demand.add(demand(cluster, nodes, now));
                })
                .replaceWithVoid();
    }

    /** The started jobs that come after a job that stays waiting (in queue order): those the planner backfilled. */
    static Set<String> backfilled(List<WaitingJob> queue, List<Start> starts) {
        Set<String> started = starts.stream().map(Start::jobId).collect(Collectors.toSet());
        Set<String> backfilled = new HashSet<>();
        boolean skipped = false;
        for (WaitingJob j : queue) {
            if (!started.contains(j.jobId())) {
                skipped = true;
            } else if (skipped) {
                backfilled.add(j.jobId());
            }
        }
        return backfilled;
    }

    private static String firstWaiting(List<WaitingJob> queue, List<Start> starts) {
        Set<String> started = starts.stream().map(Start::jobId).collect(Collectors.toSet());
        return queue.stream()
                .map(WaitingJob::jobId)
                .filter(id -> !started.contains(id))
                .findFirst()
                .orElse(null);
    }

    /** The nodes' announced addresses in rank order, or null unless every node announced one. */
    static List<String> addresses(List<NodeEntity> nodes) {
        return nodes.stream().allMatch(n -> n.address != null)
                ? nodes.stream().map(n -> n.address).toList()
                : null;
    }

    /** The nodes' announced rendezvous ports in rank order, or null unless every node announced one. */
    static List<Integer> ports(List<NodeEntity> nodes) {
        return nodes.stream().map(n -> n.port).allMatch(Objects::nonNull)
                ? nodes.stream().map(n -> n.port).toList()
                : null;
    }

    /** The cluster's demand now (O(head + sizes), whatever the queue's depth); {@link Outgoing} adds the arrivals. */
    private ClusterDemandChangedV2 demand(String cluster, List<NodeEntity> nodes, Instant now) {
        QueueIndex.Demand d =
                quotas.withoutHeld(cluster, index.demand(cluster, ClusterDemandChangedV2.HEAD, budgets.held()));
        List<String> busy = nodes.stream()
                .filter(n -> n.jobId != null)
                .map(n -> n.name)
                .sorted()
                .toList();
        return new ClusterDemandChangedV2(cluster, d.head(), d.jobs(), d.nodes(), d.bySize(), busy, List.of(), now);
    }
}
