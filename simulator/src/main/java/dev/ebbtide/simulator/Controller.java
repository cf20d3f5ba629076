package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.core.scaling.ScalingNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The decision side of one replayed cluster: what the autoscaler does. The simulator's own is {@link PolicyController}
 * (a snapshot and the policy call); a test can plug in the live autoscaler instead and replay the same world
 * (the live-vs-simulated parity test).
 */
public interface Controller {

    /** A decision to apply: the cluster's target size and the idle nodes to remove. */
    record Decision(int targetCount, List<String> removeNodes) {
        public Decision {
            removeNodes = List.copyOf(removeNodes);
        }
    }

    /** A job that entered the cluster at this instant (placed at once or queued). */
    record Arrival(String jobId, int nodes, Instant submittedAt) {}

    /** A node whose state changed at this instant: {@code preparing}, {@code idle}, {@code running} or {@code deleted}. */
    record NodeChange(String node, String state) {}

    /** The replayed cluster as the decision side may see it, after this instant's events and placement. */
    interface ClusterView {
        String cluster();

        /** The queue after placement, in placement order. */
        List<WaitingJob> queue();

        /** The queue after placement as jobs counted by the nodes each needs (kept as jobs come and start). */
        Map<Integer, Integer> queuedBySize();

        /** Every node: not-free ones first, then free ones oldest idle first. */
        List<ScalingNode> nodes();

        /** Nodes running a job. */
        List<String> busyNodes();

        /** Jobs that entered the cluster at this instant. */
        List<Arrival> arrivals();

        /** Nodes that changed state at this instant, in the order they changed (before the decision). */
        List<NodeChange> changes();

        /** Nodes that exist (booting, free or busy). */
        int size();
    }

    /**
     * Called once per instant at which something happened, after placement, and at the instants asked for by
     * {@link #wakeUpAt()}.
     *
     * @return the decision, or {@code null} for none
     */
    Decision decide(Instant at, ClusterView cluster);

    /** The decision was applied: {@code added} nodes now boot, {@code removed} are gone. */
    default void applied(Instant at, List<String> added, List<String> removed) {}

    /** When to be called again without an event, or {@code null}. */
    Instant wakeUpAt();
}
