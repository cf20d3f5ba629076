package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.cloud.CallContext;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Applies one scale request of an owned cluster (through the {@link ScaleRequestHandler}: once by request id,
 * retries, backoff, classification) and brings the book up to date: added nodes are preparing, removed ones deleted,
 * refused removals published with their reason; then the pool is listed. Runs under the provisioner's monitor.
 */
final class ScaleRequests {
    private static final Logger LOG = Logger.getLogger(ScaleRequests.class);

    private final Pools pools;
    private final PublishedBook book;
    private final CloudSync sync;
    private final ScaleRequestHandler handler;
    private final ProvisionerPublisher events;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Gangs gangs;
    private volatile Duration defaultGangTime = DEFAULT_GANG_TIME;

    /** {@code ebbtide.provisioner.max-gang-provision-time}'s default, for a provisioner built without configuration. */
    static final Duration DEFAULT_GANG_TIME = Duration.ofMinutes(10);

    ScaleRequests(
            Pools pools,
            PublishedBook book,
            CloudSync sync,
            ScaleRequestHandler handler,
            ProvisionerPublisher events,
            MeterRegistry registry,
            Clock clock,
            Gangs gangs) {
        this.gangs = gangs;
        this.pools = pools;
        this.book = book;
        this.sync = sync;
        this.handler = handler;
        this.events = events;
        this.registry = registry;
        this.clock = clock;
    }

    /** Remove the named nodes that are still idle with no job, then grow to the target. */
    void apply(ScaleRequested r) {
        ClusterSpec spec = pools.spec(r.cluster());
        if (spec != null && !spec.scaled()) {
            LOG.warnf(
                    "scale request %s for %s ignored: %s compute is never created, scaled or deleted by Ebbtide",
                    r.requestId(), r.cluster(), spec.type());
            return;
        }
        NodePool pool;
        try {
            pool = pools.open(r.cluster());
        } catch (CloudException e) {
            // the scale set could not be read or created: back off like any failed scale-up, so the autoscaler
            // re-decides after the backoff instead of waiting for nodes that will not come
            Instant until = clock.instant().plusSeconds(30);
            LOG.errorf(
                    "cluster %s: cannot open its node pool (%s): %s; backing off until %s",
                    r.cluster(), e.errorClass(), e.getMessage(), until);
            events.backoffStarted(
                    r.cluster(), e.errorClass(), until, CloudReasons.forError(e.errorClass(), e.getMessage()));
            return;
        }
        if (pool == null) {
            LOG.errorf("scale request %s names unknown cluster %s: ignored", r.requestId(), r.cluster());
            return;
        }
        List<String> leaving = new ArrayList<>();
        // a node with an eviction notice still runs in the cloud but no longer counts: its replacement comes now
        NodePool view = PreemptedNodesView.of(
                pool, book.read(b -> b.inState(r.cluster(), dev.ebbtide.common.events.NodeState.preempted)));
        ScaleRequestHandler.Outcome outcome = CallContext.with(
                r.requestId(), () -> handler.handle(r, view, node -> markLeaving(node, r.requestId(), leaving)));
        Instant now = clock.instant();
        if (outcome.status() == ScaleRequestHandler.Status.DUPLICATE) {
            LOG.infof("scale request %s for %s already applied: ignored", r.requestId(), r.cluster());
            return;
        }
        if (!outcome.units().isEmpty()) {
            Duration time = gangTime(spec);
            gangs.open(r.cluster(), outcome.units(), outcome.added(), now, time)
                    .forEach(g -> LOG.infof(
                            "cluster %s: gang unit for job %s: %d node(s) wanted, created %s, all up by %s or given back",
                            r.cluster(), g.jobId(), g.wanted(), g.nodes(), g.deadline()));
        }
        outcome.added()
                .forEach(node -> book.apply(b -> b.requested(r.cluster(), node, "requested by " + r.requestId())));
        outcome.removed().forEach(node -> book.apply(b -> b.removed(node, "scale-down request " + r.requestId())));
        leaving.stream()
                .filter(n -> !outcome.removed().contains(n))
                .forEach(node -> book.apply(b -> b.kept(node, "the deletion failed: kept", now)));
        registry.counter("ebbtide_provisioner_nodes_removed_total", "cluster", r.cluster())
                .increment(outcome.removed().size());
        registry.counter("ebbtide_provisioner_nodes_added_total", "cluster", r.cluster())
                .increment(outcome.added().size());
        for (String node : r.removeNodes()) {
            if (!outcome.removed().contains(node)) {
                String why = book.read(b -> b.whyNotRemovable(node));
                LOG.warnf("not removing %s from %s: %s", node, r.cluster(), why);
                registry.counter("ebbtide_provisioner_removals_refused_total", "cluster", r.cluster())
                        .increment();
                book.apply(b -> b.removalRefused(node, why));
            }
        }
        LOG.infof(
                "cluster %s: request %s (target %d) %s: added %s, removed %s",
                r.cluster(), r.requestId(), r.targetCount(), outcome.status(), outcome.added(), outcome.removed());
        if (outcome.status() != ScaleRequestHandler.Status.APPLIED) {
            LOG.warnf(
                    "cluster %s: request %s %s: %s",
                    r.cluster(),
                    r.requestId(),
                    outcome.status(),
                    outcome.reason() == null ? "" : outcome.reason().message());
        }
        sync.pollQuietly(r.cluster(), pool, now);
    }

    /** The service-wide {@code max_gang_provision_time}; a cluster's own YAML value wins. */
    void defaultGangTime(Duration time) {
        this.defaultGangTime = time;
    }

    /** The cluster's {@code max_gang_provision_time}, else the service's. */
    Duration gangTime(ClusterSpec spec) {
        Long own = spec == null ? null : spec.capacityOrDefault().maxGangProvisionTime();
        return own != null ? Duration.ofSeconds(own) : defaultGangTime;
    }

    /** The deletion guard, atomically in the book: an idle node with no job is marked leaving and may be deleted. */
    private boolean markLeaving(String node, String requestId, List<String> leaving) {
        if (!book.markLeaving(node, "scale-down request " + requestId)) {
            return false;
        }
        leaving.add(node);
        return true;
    }
}
