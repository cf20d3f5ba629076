package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.ids.RecentIds;
import dev.ebbtide.core.gang.GangUnit;
import dev.ebbtide.core.scaling.ArrivalHistory;
import dev.ebbtide.core.scaling.Backoff;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.NodePhase;
import dev.ebbtide.core.scaling.QueuedDemand;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingNode;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the autoscaler knows about one cluster, built from events. Turned into a pure snapshot for the policy. */
public final class ClusterState {
    /**
     * One node as last reported.
     *
     * @param heldFor   the queued job whose gang unit the node was created for, while the unit is not all up; or null
     * @param heldUntil the unit's deadline (the node is given back then unless the unit is all up); or null
     * @param size      the VM size the node got, when the provisioner said; or null
     * @param tier      the tier the node got, when the provisioner said; or null
     */
    public record NodeInfo(
            NodeState state, Instant since, String heldFor, Instant heldUntil, String size, String tier) {
        public NodeInfo(NodeState state, Instant since) {
            this(state, since, null, null, null, null);
        }
    }

    /**
     * A decision the autoscaler acted on (or a refusal worth showing), for {@code GET /clusters/{name}/decisions},
     * with the policy and the policy version it was made under.
     */
    public record DecisionRecord(
            Instant at, String requestId, int fromCount, ScalingDecision decision, String policy, int policyVersion) {}

    private static final int HISTORY = 100;
    private static final int SEEN_JOBS = 10_000;

    volatile ClusterSpec spec;
    String policy;
    /** Concurrent: metrics scrapes read it outside the autoscaler's lock. */
    final Map<String, NodeInfo> nodes = new java.util.concurrent.ConcurrentHashMap<>();

    volatile QueuedDemand queuedDemand = QueuedDemand.NONE;
    /** The first queued jobs in placement order with the nodes each needs (the demand event's head): gang units. */
    List<GangUnit> queueHead = List.of();

    Set<String> busyNodes = Set.of();
    RecentIds seenJobs = new RecentIds(SEEN_JOBS);
    Integer pendingTarget;
    Instant pendingSince;
    volatile Backoff backoff;
    ScalingDecision lastDecision;
    /** What the cluster's arrivals taught so far; every policy (and a dry run) decides with it. */
    volatile ArrivalHistory arrivals = ArrivalHistory.NONE;

    final Deque<DecisionRecord> history = new ArrayDeque<>();

    ClusterState(ClusterSpec spec, String policy) {
        this.spec = spec;
        this.policy = policy;
    }

    public ClusterSpec spec() {
        return spec;
    }

    public String policy() {
        return policy;
    }

    public Map<String, NodeInfo> nodes() {
        return Map.copyOf(nodes);
    }

    public QueuedDemand queuedDemand() {
        return queuedDemand;
    }

    public Backoff backoff() {
        return backoff;
    }

    public ScalingDecision lastDecision() {
        return lastDecision;
    }

    public List<DecisionRecord> history() {
        return List.copyOf(history);
    }

    public Integer pendingTarget() {
        return pendingTarget;
    }

    public ArrivalHistory arrivals() {
        return arrivals;
    }

    /** Forgets what events taught (nodes, demand, backoff, arrivals, decisions); the definition stays. */
    void forget() {
        nodes.clear();
        queuedDemand = QueuedDemand.NONE;
        queueHead = List.of();
        busyNodes = Set.of();
        seenJobs = new RecentIds(SEEN_JOBS);
        pendingTarget = null;
        pendingSince = null;
        backoff = null;
        lastDecision = null;
        arrivals = ArrivalHistory.NONE;
        history.clear();
    }

    /** Adds an arrival to the history the first time its job id is seen (demand events repeat queued jobs). */
    void observeArrival(String jobId, int nodes, Instant at) {
        if (seenJobs.add(jobId)) {
            arrivals = ArrivalHistory.observe(arrivals, nodes, at);
        }
    }

    void record(DecisionRecord record) {
        history.addFirst(record);
        while (history.size() > HISTORY) {
            history.removeLast();
        }
    }

    /**
     * True when a node runs a job that the latest demand event did not list as busy: the scheduler placed a job after
     * that demand was published, so the queue we hold still counts it.
     */
    boolean demandLagsNodes() {
        return nodes.entrySet().stream()
                .anyMatch(e -> e.getValue().state() == NodeState.running && !busyNodes.contains(e.getKey()));
    }

    /** Nodes that exist and count towards the cluster's size (not leaving, not gone). */
    public int liveCount() {
        return (int) nodes.values().stream().filter(n -> n.state().isLive()).count();
    }

    /** Drops a pending request once it is met, or once it is older than the provision limit. */
    void settlePending(Instant now, Duration maxProvisionTime) {
        if (pendingTarget != null
                && (liveCount() >= pendingTarget
                        || Duration.between(pendingSince, now).compareTo(maxProvisionTime) > 0)) {
            pendingTarget = null;
            pendingSince = null;
        }
    }

    ClusterSnapshot snapshot() {
        return snapshot(spec);
    }

    /** The pure core's view of this cluster, under the given scale settings (the current ones, or a dry run's). */
    ClusterSnapshot snapshot(ClusterSpec settingsFrom) {
        List<ScalingNode> view = new ArrayList<>();
        nodes.forEach((name, info) -> {
            NodePhase phase = switch (info.state()) {
                case preparing -> NodePhase.PREPARING;
                case running -> NodePhase.BUSY;
                case idle -> busyNodes.contains(name) ? NodePhase.BUSY : NodePhase.IDLE;
                default -> NodePhase.LEAVING;
            };
            view.add(new ScalingNode(name, phase, phase == NodePhase.IDLE ? info.since() : null));
        });
        int inFlight = pendingTarget == null ? 0 : Math.max(0, pendingTarget - liveCount());
        ScalingSettings settings = new ScalingSettings(
                settingsFrom.minInstances(),
                settingsFrom.maxInstances(),
                Duration.ofSeconds(settingsFrom.idleTimeBeforeScaleDown()));
        return new ClusterSnapshot(spec.name(), settings, queuedDemand, view, inFlight, backoff, arrivals);
    }
}
