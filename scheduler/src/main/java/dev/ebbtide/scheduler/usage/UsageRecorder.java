package dev.ebbtide.scheduler.usage;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.core.usage.Holder;
import dev.ebbtide.core.usage.Machine;
import dev.ebbtide.core.usage.NodeReport;
import dev.ebbtide.core.usage.Rates;
import dev.ebbtide.core.usage.UsageFold;
import dev.ebbtide.core.usage.UsageReport;
import dev.ebbtide.core.usage.UsageSegment;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Objects;

/**
 * Feeds the node state events into the pure usage fold ({@link UsageFold}) inside the scheduler's transaction: a
 * node's time from its first state to {@code deleted} is counted to the job it reports running ({@code running} with
 * {@code jobId}), else to its cluster as idle. The running segment is {@code usage_node}, closed ones
 * {@code usage_segment}; counters grow when a segment closes.
 */
@ApplicationScoped
public class UsageRecorder {
    @Inject
    MeterRegistry registry;

    @Inject
    UsageRates rates;

    /** Remembers what the cluster's nodes are (size, tier, region). */
    public Uni<Void> clusterDefined(ClusterSpec spec) {
        return UsageClusterEntity.<UsageClusterEntity>findById(spec.name()).chain(found -> {
            UsageClusterEntity c = found != null ? found : new UsageClusterEntity();
            c.name = spec.name();
            c.size = spec.size();
            c.tier = spec.tier();
            c.region = spec.location();
            return c.persist().replaceWithVoid();
        });
    }

    /**
     * Applies a node's state change at {@code at} (the event's time). A node's machine is the size and tier its first
     * event names (a fallback choice's), else its cluster's.
     */
    public Uni<Void> nodeChanged(NodeStateChanged e, Instant at) {
        return UsageNodeEntity.<UsageNodeEntity>findById(e.node())
                .chain(row -> holder(e, row)
                        .chain(holder -> machine(e, row).chain(machine -> {
                            NodeReport report = e.state() == NodeState.deleted
                                    ? NodeReport.gone(e.cluster(), e.node(), machine, at)
                                    : NodeReport.live(e.cluster(), e.node(), machine, holder, at);
                            UsageFold.Step step = UsageFold.apply(row == null ? null : row.usage(), report);
                            if (step.next() == null
                                    || (row != null && step.next().equals(row.usage()))) {
                                return Uni.createFrom().voidItem();
                            }
                            UsageNodeEntity next = row != null ? row : new UsageNodeEntity();
                            next.set(step.next());
                            Uni<Void> save = next.persist().replaceWithVoid();
                            if (step.closed() != null) {
                                count(step.closed());
                                save = save.chain(() -> UsageSegmentEntity.of(step.closed())
                                        .persist()
                                        .replaceWithVoid());
                            }
                            return save;
                        })));
    }

    /** The job a running node reports, with its team and user from the job's row (one read, only when it changed). */
    private static Uni<Holder> holder(NodeStateChanged e, UsageNodeEntity row) {
        if (e.state() != NodeState.running || e.jobId() == null) {
            return Uni.createFrom().item(Holder.IDLE);
        }
        if (row != null && !row.gone && Objects.equals(row.jobId, e.jobId())) {
            return Uni.createFrom().item(new Holder(row.jobId, row.team, row.submittedBy));
        }
        return JobEntity.<JobEntity>findById(e.jobId())
                .map(job -> job == null
                        ? new Holder(e.jobId(), null, null)
                        : new Holder(job.id, job.team, job.submittedBy));
    }

    private static Uni<Machine> machine(NodeStateChanged e, UsageNodeEntity row) {
        if (row != null && !row.gone) {
            return Uni.createFrom().item(row.usage().machine());
        }
        return UsageClusterEntity.<UsageClusterEntity>findById(e.cluster()).map(c -> {
            Machine cluster = c == null ? Machine.UNKNOWN : c.machine();
            // a node of a fallback choice says which size and tier it got: count it as that
            return e.size() == null
                    ? cluster
                    : new Machine(e.size(), e.tier() == null ? cluster.tier() : e.tier(), cluster.region());
        });
    }

    private void count(UsageSegment s) {
        String cluster = s.cluster();
        String team = UsageReport.key(s, UsageReport.By.TEAM);
        String size = s.machine().size();
        String tier = s.machine().tier();
        double hours = s.millis() / 3_600_000.0;
        Rates.Rate rate = rates.of(s.machine());
        registry.counter(
                        "ebbtide_usage_node_seconds_total",
                        "cluster",
                        cluster,
                        "team",
                        team,
                        "size",
                        size,
                        "tier",
                        tier)
                .increment(s.millis() / 1000.0);
        registry.counter("ebbtide_usage_core_hours_total", "cluster", cluster, "team", team, "size", size, "tier", tier)
                .increment(hours * rate.cores());
        registry.counter("ebbtide_usage_gpu_hours_total", "cluster", cluster, "team", team, "size", size, "tier", tier)
                .increment(hours * rate.gpus());
        if (rate.pricePerHour() != null) {
            registry.counter(
                            "ebbtide_usage_cost_total",
                            "cluster",
                            cluster,
                            "team",
                            team,
                            "size",
                            size,
                            "tier",
                            tier,
                            "currency",
                            rates.currency())
                    .increment(hours * rate.pricePerHour());
        }
    }
}
