package dev.ebbtide.autoscaler.rest;

import dev.ebbtide.autoscaler.loop.ClusterState;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.scaling.QueuedDemand;
import dev.ebbtide.core.scaling.ScalingDecision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster as ops see it, with Azure ML's names: {@code currentNodeCount}, {@code targetNodeCount},
 * {@code allocationState} (steady / resizing), {@code nodeStateCounts}, plus why it is the size it is. The queue shows
 * as counts (jobs, nodes, jobs by size), never as a list of every queued job. With several instances only the one that
 * owns the cluster ({@code ownedHere}) knows its nodes, queue and decisions; the others show its definition.
 */
public record ClusterView(
        ClusterSpec spec,
        String policy,
        int currentNodeCount,
        int targetNodeCount,
        String allocationState,
        Map<String, Integer> nodeStateCounts,
        List<NodeView> nodes,
        int queuedJobs,
        int queuedNodes,
        List<QueuedDemand.JobsOfSize> queuedBySize,
        String backoffReason,
        Instant backoffUntil,
        List<String> lastReasons,
        boolean ownedHere,
        String instance) {

    /**
     * One node; {@code heldFor} / {@code heldUntil}: the queued job whose gang unit it was created for and the unit's
     * deadline (the node is given back then unless the unit is all up), absent once the unit is all up; {@code size}
     * / {@code tier}: what the node got, when the provisioner said (a fallback alternative may differ from the
     * cluster's own).
     */
    public record NodeView(
            String name, NodeState state, Instant since, String heldFor, Instant heldUntil, String size, String tier) {}

    /**
     * @param ownedHere whether this instance decides for the cluster (only the owner knows its nodes and queue)
     * @param instance  this instance's name
     */
    static ClusterView of(ClusterState s, boolean ownedHere, String instance) {
        Map<String, Integer> counts = new TreeMap<>();
        List<NodeView> nodes = s.nodes().entrySet().stream()
                .map(e -> new NodeView(
                        e.getKey(),
                        e.getValue().state(),
                        e.getValue().since(),
                        e.getValue().heldFor(),
                        e.getValue().heldUntil(),
                        e.getValue().size(),
                        e.getValue().tier()))
                .sorted(java.util.Comparator.comparing(NodeView::name))
                .toList();
        nodes.forEach(n -> counts.merge(n.state().name(), 1, Integer::sum));
        int current = s.liveCount();
        int target = s.pendingTarget() != null ? s.pendingTarget() : current;
        boolean resizing =
                target != current || counts.getOrDefault("preparing", 0) > 0 || counts.getOrDefault("leaving", 0) > 0;
        ScalingDecision last = s.lastDecision();
        return new ClusterView(
                s.spec().redacted(),
                s.policy(),
                current,
                target,
                resizing ? "resizing" : "steady",
                counts,
                nodes,
                s.queuedDemand().jobs(),
                s.queuedDemand().nodes(),
                s.queuedDemand().bySize(),
                s.backoff() == null ? null : s.backoff().reason(),
                s.backoff() == null ? null : s.backoff().until(),
                last == null
                        ? List.of()
                        : last.reasons().stream()
                                .map(r -> r.code() + ": " + r.message())
                                .toList(),
                ownedHere,
                instance);
    }
}
