package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.simulator.Controller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The live autoscaler as the decision side of one replayed cluster. The simulator's world plays the scheduler (it
 * places with the same {@code PlacementPlanner}), the provisioner (nodes appear and go at once) and the node agents;
 * what they would publish is handed to a real {@link Autoscaler} as the events it consumes, in virtual time through
 * its injected clock: per instant the scheduler's v2 demand event (with every arrival), then each node's state change.
 * Its timer is modelled as firing on whole seconds; ticks before the pending decision's {@code nextCheckAt} change
 * nothing (the policy's contract), so only the first one at or after it is delivered.
 */
final class LiveController implements Controller {
    private static final Instant EPOCH = Instant.EPOCH;

    private final String cluster;
    private final MutableClock clock = new MutableClock(EPOCH);
    private final Autoscaler autoscaler = new Autoscaler();
    private final List<ScaleRequested> published = new ArrayList<>();

    LiveController(String cluster, String policy, int maxNodes, long idleS, Duration boot) {
        this.cluster = cluster;
        autoscaler.clock = clock;
        autoscaler.registry = new SimpleMeterRegistry();
        autoscaler.config = TestConfig.autoscaler("ebbtide.autoscaler.node-boot-time", boot.toMillis() + "ms");
        autoscaler.events = new AutoscalerEvents() {
            @Override
            public void scaleRequested(ScaleRequested event) {
                published.add(event);
            }
        };
        autoscaler.onClusterDefined(
                new ClusterDefined(new ClusterSpec(cluster, null, null, 0, maxNodes, idleS, null), policy, EPOCH));
    }

    @Override
    public Decision decide(Instant at, ClusterView world) {
        clock.set(at);
        if (world.arrivals().isEmpty() && world.changes().isEmpty()) {
            if (published.isEmpty()) { // nothing decided on the provisioner's answer: this is a tick
                autoscaler.tick();
            }
        } else {
            autoscaler.onDemand(demand(world, at));
            for (NodeChange c : world.changes()) {
                node(c.node(), NodeState.valueOf(c.state()), at);
            }
        }
        if (published.isEmpty()) {
            return null;
        }
        Set<String> removed = new LinkedHashSet<>();
        published.forEach(r -> removed.addAll(r.removeNodes()));
        Decision d = new Decision(published.get(published.size() - 1).targetCount(), List.copyOf(removed));
        published.clear();
        return d;
    }

    @Override
    public void applied(Instant at, List<String> added, List<String> removed) {
        added.forEach(n -> node(n, NodeState.preparing, at)); // what it decides on these is the next decide()
        removed.forEach(n -> node(n, NodeState.deleted, at));
    }

    @Override
    public Instant wakeUpAt() {
        ScalingDecision last = autoscaler.cluster(cluster).orElseThrow().lastDecision();
        if (last == null || last.nextCheckAt() == null) {
            return null;
        }
        Instant next = last.nextCheckAt();
        Instant whole = next.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return whole.equals(next) ? whole : whole.plusSeconds(1);
    }

    private void node(String node, NodeState state, Instant at) {
        autoscaler.onNodeState(new NodeStateChanged(cluster, node, state, null, null, null, at));
    }

    /** What the scheduler publishes after placing: the queue (bounded), busy nodes, and this instant's arrivals. */
    private ClusterDemandChangedV2 demand(ClusterView world, Instant at) {
        List<QueuedJob> head = new ArrayList<>();
        Map<Integer, Integer> bySize = new TreeMap<>();
        int nodes = 0;
        for (WaitingJob w : world.queue()) {
            if (head.size() < ClusterDemandChangedV2.HEAD) {
                head.add(new QueuedJob(cluster + "#" + w.jobId(), w.nodes(), "medium", null));
            }
            bySize.merge(w.nodes(), 1, Integer::sum);
            nodes += w.nodes();
        }
        List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>();
        bySize.forEach((size, jobs) -> sizes.add(new ClusterDemandChangedV2.JobsOfSize(size, jobs)));
        List<ClusterDemandChangedV2.Arrival> arrivals = world.arrivals().stream()
                .map(a -> new ClusterDemandChangedV2.Arrival(a.jobId(), a.nodes(), a.submittedAt()))
                .toList();
        return new ClusterDemandChangedV2(
                cluster, head, world.queue().size(), nodes, sizes, world.busyNodes(), arrivals, at);
    }
}
