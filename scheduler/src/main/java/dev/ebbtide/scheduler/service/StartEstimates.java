package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.estimate.GrowthWait;
import dev.ebbtide.core.estimate.StartEstimate;
import dev.ebbtide.core.estimate.StartEstimator;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.ClusterMemoryEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import dev.ebbtide.scheduler.persistence.NodeRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Queued jobs' positions and start estimates, computed on read (so always current) by the pure
 * {@link StartEstimator} from the in-memory {@link QueueIndex} (on an instance that does not own the cluster, from the
 * cluster's queued jobs in PostgreSQL, so any instance answers), the cluster's stored nodes, the running jobs' time
 * limits, the cluster's {@code max_instances}, its observed boot time ({@link BootTimes}, else
 * {@code ebbtide.scheduler.node-boot-time}) and its current back-off ({@link WaitReasons}). Costs per cluster asked about: one pass over its queue up to the last job asked
 * about, a simulation of at most {@link StartEstimator#MAX_SIMULATED} jobs, and three small queries.
 */
@ApplicationScoped
public class StartEstimates {
    @Inject
    Clock clock;

    @Inject
    SchedulerConfig config;

    @Inject
    QueueIndex index;

    @Inject
    NodeRepository nodeRepository;

    @Inject
    JobRepository jobRepository;

    @Inject
    WaitReasons waits;

    @Inject
    BootTimes bootTimes;

    @Inject
    ClusterOwnership ownership;

    /** The estimates of the {@code Queued} jobs among {@code jobs}, by job id (call inside a session). */
    public Uni<Map<String, StartEstimate>> of(List<JobEntity> jobs) {
        Map<String, Set<String>> queuedByCluster = new LinkedHashMap<>();
        for (JobEntity j : jobs) {
            if (j.state == JobState.Queued) {
                queuedByCluster
                        .computeIfAbsent(j.cluster, c -> new java.util.HashSet<>())
                        .add(j.id);
            }
        }
        Map<String, StartEstimate> estimates = new HashMap<>();
        if (queuedByCluster.isEmpty()) {
            return Uni.createFrom().item(estimates);
        }
        return index.ready()
                .chain(() -> InOrder.each(
                        new ArrayList<>(queuedByCluster.entrySet()),
                        e -> ofCluster(e.getKey(), e.getValue(), estimates)))
                .replaceWith(estimates);
    }

    private Uni<Void> ofCluster(String cluster, Set<String> ids, Map<String, StartEstimate> into) {
        return index.forReading(cluster).chain(queue -> ofCluster(cluster, queue, ids, into));
    }

    private Uni<Void> ofCluster(String cluster, ClusterQueue queue, Set<String> ids, Map<String, StartEstimate> into) {
        Map<String, Integer> positions = queue.positions(ids);
        if (positions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int deepest = Collections.max(positions.values());
        List<WaitingJob> head = queue.head(Math.min(deepest, StartEstimator.MAX_SIMULATED + 1));
        return learned(cluster)
                .chain(memory -> ClusterEntity.<ClusterEntity>findById(cluster)
                        .chain(c -> nodeRepository
                                .ofClusters(List.of(cluster))
                                .chain(nodes -> runningEnds(nodes)
                                        .invoke(ends -> {
                                            Instant now = clock.instant();
                                            int max = c == null ? nodes.size() : c.maxInstances;
                                            List<StartEstimate> all = StartEstimator.estimateQueue(
                                                    head,
                                                    NodeSlots.of(nodes, ends, memory.bootTime()),
                                                    max,
                                                    memory.bootTime(),
                                                    growthWait(memory.waiting(), now),
                                                    now);
                                            positions.forEach((id, position) -> into.put(
                                                    id,
                                                    position <= all.size()
                                                            ? all.get(position - 1)
                                                            : StartEstimator.beyond(
                                                                    position, StartEstimator.MAX_SIMULATED)));
                                        })
                                        .replaceWithVoid())));
    }

    /** A cluster's boot time and back-off as its events told them. */
    private record Learned(Duration bootTime, WaitReason waiting) {}

    /** From memory on the cluster's owner; from PostgreSQL (what the owner stored) on any other instance. */
    private Uni<Learned> learned(String cluster) {
        if (ownership.owns(cluster)) {
            return Uni.createFrom()
                    .item(new Learned(bootTimes.of(cluster, config.scheduler().nodeBootTime()), waits.active(cluster)));
        }
        return ClusterMemoryEntity.<ClusterMemoryEntity>findById(cluster)
                .map(m -> m == null
                        ? new Learned(config.scheduler().nodeBootTime(), null)
                        : new Learned(
                                BootTimes.median(
                                        m.bootTimes(), config.scheduler().nodeBootTime()),
                                m.waiting()));
    }

    /**
     * The wait before the cluster may grow: a cloud back-off until its retry time; a quota or approval wait, or a
     * stopped compute instance, with no known end; none once its time has passed.
     */
    static GrowthWait growthWait(WaitReason waiting, Instant now) {
        if (waiting == null) {
            return null;
        }
        if (waiting instanceof WaitReason.InstanceStopped) {
            return new GrowthWait("the compute instance is stopped", null);
        }
        if (waiting.until() == null || !waiting.until().isAfter(now)) {
            return null;
        }
        if (waiting instanceof WaitReason.Approval) { // until is only the next look
            return new GrowthWait("waiting for approval", null);
        }
        if (waiting instanceof WaitReason.Quota) {
            return new GrowthWait("waiting for quota", null);
        }
        if (waiting instanceof WaitReason.CloudError cloud) {
            return new GrowthWait("cloud back-off (" + cloud.errorClass() + ")", cloud.until());
        }
        return new GrowthWait(waiting.sentence(), waiting.until());
    }

    /** Each busy node's job's expected end ({@link NodeSlots#expectedEnd}). */
    private Uni<Map<String, Instant>> runningEnds(List<NodeEntity> nodes) {
        if (!NodeSlots.anyJob(nodes)) {
            return Uni.createFrom().item(Map.of());
        }
        return jobRepository.byIds(NodeSlots.jobIds(nodes)).map(jobs -> NodeSlots.expectedEnds(jobs, clock.instant()));
    }
}
