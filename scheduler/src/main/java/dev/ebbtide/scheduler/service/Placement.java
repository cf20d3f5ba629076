package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.SlotState;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** Runs the pure {@link PlacementPlanner} on a cluster's stored queue and nodes and records the starts it decides. */
@ApplicationScoped
class Placement {
    @Inject
    Clock clock;
    @Inject
    MeterRegistry registry;
    @Inject
    JobTransitions transitions;

    /** Starts every job the planner says can start now, then publishes the cluster's remaining demand. */
    Uni<Void> place(String cluster, Outgoing out) {
        return JobEntity.queued(cluster).chain(queued -> NodeEntity.ofCluster(cluster).chain(nodes -> {
            Instant now = clock.instant();
            Map<String, JobEntity> byId = queued.stream().collect(Collectors.toMap(j -> j.id, j -> j));
            Map<String, NodeEntity> nodeByName = nodes.stream().collect(Collectors.toMap(n -> n.name, n -> n));
            List<Start> starts = PlacementPlanner.plan(waiting(queued), slots(nodes), now);
            List<JobEntity> remaining = new ArrayList<>(queued);
            for (Start start : starts) {
                JobEntity job = byId.get(start.jobId());
                transitions.apply(job, new JobEvent.Placed(start.nodes()), 0, out);
                List<NodeEntity> placed = start.nodes().stream().map(nodeByName::get).toList();
                placed.forEach(n -> {
                    n.jobId = job.id;
                    n.attempt = job.attempt;
                });
                registry.timer("ebbtide_scheduler_queue_wait_seconds", "cluster", cluster)
                        .record(Duration.between(job.submittedAt, now));
                out.assignments.add(new JobAssigned(job.id, cluster, start.nodes(),
                        EventJson.read(job.specJson, JobSpec.class), job.attempt, addresses(placed), ports(placed), now));
                remaining.remove(job);
            }
            out.demand.add(demand(cluster, remaining, nodes, now));
            return Uni.createFrom().voidItem();
        }));
    }

    /** The nodes' announced addresses in rank order, or null unless every node announced one. */
    static List<String> addresses(List<NodeEntity> nodes) {
        return nodes.stream().allMatch(n -> n.address != null) ? nodes.stream().map(n -> n.address).toList() : null;
    }

    /** The nodes' announced rendezvous ports in rank order, or null unless every node announced one. */
    static List<Integer> ports(List<NodeEntity> nodes) {
        return nodes.stream().map(n -> n.port).allMatch(Objects::nonNull) ? nodes.stream().map(n -> n.port).toList() : null;
    }

    private static List<WaitingJob> waiting(List<JobEntity> queued) {
        return queued.stream().map(j -> {
            JobSpec spec = EventJson.read(j.specJson, JobSpec.class);
            Duration limit = spec.timeoutSeconds() == null ? null : Duration.ofSeconds(spec.timeoutSeconds());
            return new WaitingJob(j.id, j.instanceCount, Priority.parse(j.priority), j.sequence, limit);
        }).toList();
    }

    private static List<NodeSlot> slots(List<NodeEntity> nodes) {
        List<NodeSlot> slots = new ArrayList<>();
        for (NodeEntity n : nodes) {
            if (n.isFree()) {
                slots.add(new NodeSlot(n.name, SlotState.FREE, n.since, null));
            } else if (n.jobId != null || n.state == NodeState.running) {
                slots.add(new NodeSlot(n.name, SlotState.BUSY, n.since, null));
            } else if (n.state == NodeState.preparing) {
                slots.add(new NodeSlot(n.name, SlotState.BOOTING, n.since, null));
            }
        }
        return slots;
    }

    private static ClusterDemandChanged demand(String cluster, List<JobEntity> queued, List<NodeEntity> nodes, Instant now) {
        List<QueuedJob> queue = queued.stream()
                .sorted(Comparator.comparing((JobEntity j) -> Priority.parse(j.priority)).thenComparingLong(j -> j.sequence))
                .map(j -> new QueuedJob(j.id, j.instanceCount, j.priority, j.submittedAt)).toList();
        int needed = queue.stream().mapToInt(QueuedJob::instanceCount).sum();
        List<String> busy = nodes.stream().filter(n -> n.jobId != null).map(n -> n.name).sorted().toList();
        return new ClusterDemandChanged(cluster, queue, needed, busy, now);
    }
}
