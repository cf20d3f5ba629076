package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.config.AutoscalerConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.autoscaler.policy.PolicyBook;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.gang.GangUnit;
import dev.ebbtide.core.gang.GangUnits;
import dev.ebbtide.core.scaling.Backoff;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.NodePhase;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingPolicy;
import dev.ebbtide.core.scaling.ScalingReason;
import dev.ebbtide.core.scaling.UnscaledCompute;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The autoscaler: keeps each cluster's state from events, asks the cluster's {@link ScalingPolicy} (a pure core) for
 * a decision after every event and every tick, and publishes the decisions that change something, with reasons.
 * All methods are synchronized: events, ticks and REST calls see one consistent state.
 */
@ApplicationScoped
public class Autoscaler {
    private static final Logger LOG = Logger.getLogger(Autoscaler.class);

    @Inject
    Clock clock;

    @Inject
    AutoscalerEvents events;

    @Inject
    MeterRegistry registry;
    /** The clusters this instance decides for; null (tests) = every cluster. */
    @Inject
    OwnedClusters owned;

    @Inject
    PolicyBook versions;

    @Inject
    DecisionLog decisionLog;

    @Inject
    AutoscalerConfig config;

    private final Map<String, ClusterState> clusters = new TreeMap<>();
    /** Stateless policies by name: sharing one is safe; what they learn is each cluster's {@link ClusterState}. */
    private final Map<String, ScalingPolicy> policies = new ConcurrentHashMap<>();

    public synchronized void onClusterDefined(ClusterDefined e) {
        ClusterState state = clusters.get(e.spec().name());
        String policy = e.policy() != null
                ? e.policy()
                : state != null ? state.policy : config.autoscaler().defaultPolicy();
        if (state == null) {
            ClusterState created = new ClusterState(e.spec(), policy);
            clusters.put(e.spec().name(), created);
            registerGauges(created);
            LOG.infof(
                    "cluster %s defined: min %d, max %d, idle %d s, policy %s",
                    e.spec().name(),
                    e.spec().minInstances(),
                    e.spec().maxInstances(),
                    e.spec().idleTimeBeforeScaleDown(),
                    policy);
        } else {
            state.spec = e.spec();
            state.policy = policy;
            LOG.infof(
                    "cluster %s changed: min %d, max %d, idle %d s, policy %s",
                    e.spec().name(),
                    e.spec().minInstances(),
                    e.spec().maxInstances(),
                    e.spec().idleTimeBeforeScaleDown(),
                    policy);
        }
        evaluate(e.spec().name());
    }

    /** v1 demand (records published before v2, still in the topic): the whole queue, seen job by job. */
    public synchronized void onDemand(ClusterDemandChanged e) {
        ClusterState state = clusters.get(e.cluster());
        if (state == null) {
            return;
        }
        for (QueuedJob job : e.queue()) { // v1 lists queued jobs only: a job placed at once is never seen
            state.observeArrival(
                    job.jobId(), job.instanceCount(), job.queuedSince() != null ? job.queuedSince() : clock.instant());
        }
        state.queuedDemand = DemandEvents.queued(e);
        state.queueHead = DemandEvents.head(e.queue());
        state.busyNodes = new HashSet<>(e.busyNodes());
        evaluate(e.cluster());
    }

    /**
     * Bounded demand: every arrival goes into the cluster's {@code ArrivalHistory} once (a job seen again, e.g. on
     * redelivery, is not counted twice), then the queue.
     */
    public synchronized void onDemand(ClusterDemandChangedV2 e) {
        ClusterState state = clusters.get(e.cluster());
        if (state == null) {
            return;
        }
        for (ClusterDemandChangedV2.Arrival a : e.arrivals()) { // every arrival, placed at once or queued
            state.observeArrival(a.jobId(), a.nodes(), a.submittedAt() != null ? a.submittedAt() : clock.instant());
        }
        state.queuedDemand = DemandEvents.queued(e);
        state.queueHead = DemandEvents.head(e.queueHead());
        state.busyNodes = new HashSet<>(e.busyNodes());
        evaluate(e.cluster());
    }

    public synchronized void onNodeState(NodeStateChanged e) {
        ClusterState state = clusters.get(e.cluster());
        if (state == null) {
            return;
        }
        if (e.state() == NodeState.deleted) {
            state.nodes.remove(e.node());
        } else {
            state.nodes.put(
                    e.node(),
                    new ClusterState.NodeInfo(
                            e.state(),
                            e.at() != null ? e.at() : clock.instant(),
                            e.heldFor(),
                            e.heldUntil(),
                            e.size(),
                            e.tier()));
        }
        registry.counter(
                        "ebbtide_autoscaler_node_events_total",
                        "cluster",
                        e.cluster(),
                        "state",
                        e.state().name())
                .increment();
        evaluate(e.cluster());
    }

    /** Why the cluster cannot grow (a v1 record is turned into this by the consumer, {@code toV2}). */
    public synchronized void onBackoff(ClusterBackoffChangedV2 e) {
        ClusterState state = clusters.get(e.cluster());
        if (state == null) {
            return;
        }
        WaitReason waiting = e.waiting();
        state.backoff = waiting == null ? null : new Backoff(waiting.until(), waiting.sentence());
        if (waiting != null) {
            state.pendingTarget = null; // the refused request will not deliver its nodes
        }
        evaluate(e.cluster());
    }

    /** Re-decides every cluster: idle timers expire without any event. */
    public synchronized void tick() {
        clusters.keySet().forEach(this::evaluate);
    }

    /** The decision the policy would make now, without acting on it (ops' dry run), with the cluster's history. */
    public synchronized Optional<ScalingDecision> dryRun(String cluster, ClusterSpec changed, String policyName) {
        ClusterState state = clusters.get(cluster);
        if (state == null) {
            return Optional.empty();
        }
        ClusterSnapshot snapshot = state.snapshot(changed != null ? changed : state.spec);
        String name = policyName != null ? policyName : state.policy;
        if (!state.spec.scaled()) {
            return Optional.of(UnscaledCompute.decide(
                    snapshot, state.spec.isAttached() ? "attached compute" : "a compute instance"));
        }
        return Optional.of(
                Policies.create(name, config.autoscaler().nodeBootTime()).decide(snapshot, clock.instant()));
    }

    public synchronized Optional<ClusterState> cluster(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    public synchronized List<ClusterState> clusters() {
        return List.copyOf(clusters.values());
    }

    /** The names of the defined clusters, sorted. */
    public synchronized List<String> clusterNames() {
        return List.copyOf(clusters.keySet());
    }

    /**
     * Drops what events taught about these clusters (their definitions stay): another instance owns them now, and a
     * next assignment rebuilds it by replay. Waits for a decision in progress (the lock).
     */
    public synchronized List<String> forget(Predicate<String> which) {
        List<String> forgotten = clusters.keySet().stream().filter(which).toList();
        forgotten.forEach(c -> clusters.get(c).forget());
        return forgotten;
    }

    private void evaluate(String cluster) {
        if (owned != null && !owned.decides(cluster)) {
            return; // another instance decides for it, or its past is still being replayed
        }
        ClusterState state = clusters.get(cluster);
        Instant now = clock.instant();
        state.settlePending(now, config.autoscaler().maxNodeProvisionTime());
        if (state.backoff != null && !state.backoff.activeAt(now)) {
            state.backoff = null;
        }
        ClusterSnapshot snapshot = state.snapshot();
        ScalingDecision decision = state.spec.scaled()
                ? policy(state.policy).decide(snapshot, now)
                : UnscaledCompute.decide(snapshot, state.spec.isAttached() ? "attached compute" : "a compute instance");
        int version = versions == null ? 0 : versions.currentVersion(cluster);
        ScalingDecision previous = state.lastDecision;
        state.lastDecision = decision;
        if (decision.nodesToAdd(snapshot) > 0 && state.demandLagsNodes()) {
            // a node already runs a job the scheduler's last demand did not count as placed: the queue we see is
            // older than the nodes we see; its next demand event (right behind) decides the scale-up
            LOG.debugf("cluster %s: demand is behind the node states; not scaling up yet", cluster);
            return;
        }
        if (decision.isNoop(snapshot)) {
            recordDecision(state, version, snapshot, decision, now, null);
            if (previous == null || !previous.reasons().equals(decision.reasons())) {
                LOG.debugf("cluster %s: no change (%s)", cluster, decision.explain());
            }
            return;
        }
        String requestId = UUID.randomUUID().toString();
        int from = snapshot.currentCount();
        String direction =
                decision.targetCount() > from - decision.removeNodes().size()
                        ? "up"
                        : decision.removeNodes().isEmpty() ? "none" : "down";
        LOG.infof(
                "cluster %s: scale %s %d -> %d%s because %s",
                cluster,
                direction,
                from,
                decision.targetCount(),
                decision.removeNodes().isEmpty() ? "" : ", removing " + decision.removeNodes(),
                decision.explain());
        for (ScalingReason reason : decision.reasons()) {
            registry.counter(
                            "ebbtide_autoscaler_scale_decisions_total",
                            "cluster",
                            cluster,
                            "direction",
                            direction,
                            "reason",
                            reason.code().name())
                    .increment();
        }
        state.record(new ClusterState.DecisionRecord(now, requestId, from, decision, state.policy, version));
        recordDecision(state, version, snapshot, decision, now, requestId);
        state.pendingTarget = decision.targetCount();
        state.pendingSince = now;
        for (String node : decision.removeNodes()) {
            state.nodes.computeIfPresent(node, (n, info) -> new ClusterState.NodeInfo(NodeState.leaving, now));
        }
        events.scaleRequested(new ScaleRequested(
                requestId,
                cluster,
                decision.targetCount(),
                decision.removeNodes(),
                decision.reasons().stream()
                        .map(r -> new Reason(r.code().name(), r.message()))
                        .toList(),
                now,
                state.policy,
                version,
                owned == null ? null : owned.instance(),
                units(state.queueHead, snapshot, decision)));
    }

    /**
     * The gang units among the nodes a decision adds: the queued multi-node jobs, in placement order, that the idle,
     * preparing and in-flight nodes do not cover (core's {@link GangUnits}).
     */
    static List<ScaleRequested.Unit> units(
            List<GangUnit> queueHead, ClusterSnapshot snapshot, ScalingDecision decision) {
        int add = decision.nodesToAdd(snapshot);
        if (add <= 0) {
            return List.of();
        }
        int supply = snapshot.inFlight() + snapshot.count(NodePhase.IDLE) + snapshot.count(NodePhase.PREPARING);
        return GangUnits.plan(queueHead, supply, add).stream()
                .map(u -> new ScaleRequested.Unit(u.jobId(), u.nodes()))
                .toList();
    }

    private void recordDecision(
            ClusterState state,
            int version,
            ClusterSnapshot snapshot,
            ScalingDecision decision,
            Instant now,
            String requestId) {
        if (decisionLog != null) {
            decisionLog.decided(
                    state.policy, version, config.autoscaler().nodeBootTime(), snapshot, decision, now, requestId);
        }
    }

    /** The policy a cluster gets when its definition names none. */
    public String defaultPolicy() {
        return config.autoscaler().defaultPolicy();
    }

    /** Per-cluster gauges for dashboards: nodes by state, queued demand, and the limits. */
    private void registerGauges(ClusterState state) {
        String cluster = state.spec().name();
        for (NodeState nodeState : NodeState.values()) {
            if (nodeState != NodeState.deleted) {
                Gauge.builder("ebbtide_autoscaler_nodes", state, s -> count(s, nodeState))
                        .description("nodes of a cluster by state; tags: cluster, state")
                        .tags("cluster", cluster, "state", nodeState.name())
                        .register(registry);
            }
        }
        Gauge.builder(
                        "ebbtide_autoscaler_queued_nodes",
                        state,
                        s -> s.queuedDemand().nodes())
                .description("nodes needed by the jobs queued on a cluster; tags: cluster")
                .tag("cluster", cluster)
                .register(registry);
        Gauge.builder("ebbtide_autoscaler_max_nodes", state, s -> s.spec().maxInstances())
                .description("a cluster's max_instances; tags: cluster")
                .tag("cluster", cluster)
                .register(registry);
        Gauge.builder("ebbtide_autoscaler_backing_off", state, s -> s.backoff() == null ? 0 : 1)
                .description("1 while the provisioner backs off a cluster; tags: cluster")
                .tag("cluster", cluster)
                .register(registry);
    }

    private static double count(ClusterState s, NodeState nodeState) {
        return s.nodes.values().stream().filter(n -> n.state() == nodeState).count();
    }

    private ScalingPolicy policy(String name) {
        return policies.computeIfAbsent(
                name, n -> Policies.create(n, config.autoscaler().nodeBootTime()));
    }
}
