package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.QueuedDemand;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingNode;
import dev.ebbtide.core.scaling.ScalingPolicy;
import dev.ebbtide.core.scaling.ScalingSettings;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Replays a trace in virtual time through {@link PlacementPlanner} and a {@link ScalingPolicy}: the same classes the
 * scheduler and the autoscaler call.
 *
 * <h2>Model</h2>
 * <ul>
 *   <li>One cluster per trace {@code queue}, each with the same {@link ScalingSettings}; clusters share nothing.</li>
 *   <li>Exclusive nodes: a node runs one job at a time; a job needs {@code nodes} nodes at once (gang start) and runs
 *       for {@code duration_s}. Jobs have no known time limit (the planner sees {@code timeLimit = null}).</li>
 *   <li>Event-driven in virtual time. Events are job arrivals, job completions (the nodes become idle), nodes becoming
 *       ready (boot time after the request; they become idle) and re-checks at the decision's {@code nextCheckAt}.
 *       All events at the same instant are applied first; then the planner starts what it can (a freed node goes to
 *       the head of the queue; the most recently idled node is reused first); then the policy decides on the
 *       remaining queue; the decision is applied at once: named idle nodes are removed, and nodes are requested up
 *       to the target (they exist, and cost, from this instant; there is no in-flight delay beyond the boot).</li>
 *   <li>Cost: a node costs from its request to its removal. The replay runs until no event is left, so idle nodes
 *       left at the end are billed until the policy removes them (fixed-idle: idle time T after they became idle).
 *       Nodes a policy never removes (e.g. min &gt; 0) are billed until the last event.</li>
 *   <li>Wait = start - submit.</li>
 * </ul>
 */
public final class Simulation {

    private static final int COMPLETE = 0;
    private static final int READY = 1;
    private static final int CHECK = 2;

    private final ScalingPolicy policy;
    private final ScalingSettings settings;
    private final long bootMs;

    public Simulation(ScalingPolicy policy, ScalingSettings settings, Duration boot) {
        this.policy = policy;
        this.settings = settings;
        this.bootMs = boot.toMillis();
    }

    /** Replays the whole trace; clusters one after the other (they are independent). */
    public SimulationResult run(Trace trace) {
        long started = System.nanoTime();
        Totals totals = new Totals(trace.jobs().size());
        for (Map.Entry<String, List<Trace.Job>> e : trace.byQueue().entrySet()) {
            new ClusterReplay(e.getKey(), e.getValue(), totals).run();
        }
        double replayS = (System.nanoTime() - started) / 1e9;
        return SimulationResult.of(trace, policy.name(), settings, Duration.ofMillis(bootMs), totals.waitsMs, totals.waitCount,
                totals.nodeMs, totals.scaleUps, totals.scaleDowns, totals.nodesAdded, totals.nodesRemoved, replayS);
    }

    private static final class Totals {
        final long[] waitsMs;
        int waitCount;
        double nodeMs;
        long scaleUps;
        long scaleDowns;
        long nodesAdded;
        long nodesRemoved;

        Totals(int jobs) {
            waitsMs = new long[jobs];
        }
    }

    private enum State { BOOTING, FREE, BUSY }

    private static final class Node {
        final String name;
        final long requestedAt;
        State state;
        int index; // position in ClusterReplay.nodes
        ScalingNode scalingView;
        NodeSlot slotView;

        Node(String name, long requestedAt) {
            this.name = name;
            this.requestedAt = requestedAt;
        }
    }

    private record Event(long at, int type, int ref, long seq) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** One cluster's replay. */
    private final class ClusterReplay {
        private final String cluster;
        private final List<Trace.Job> jobs;
        private final Totals totals;
        private final PriorityQueue<Event> events = new PriorityQueue<>();
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Node> byName = new HashMap<>();
        private final List<Node[]> running = new ArrayList<>(); // completion ref -> nodes
        private final List<WaitingJob> queue = new ArrayList<>();
        private final Set<Long> pendingChecks = new HashSet<>();
        private final Set<Node> idleOrder = new LinkedHashSet<>(); // free nodes, oldest idle first
        /** Queued jobs by the nodes each needs, kept as jobs come and start, as the scheduler keeps them. */
        private final Map<Integer, Integer> queuedBySize = new java.util.TreeMap<>();
        private long seq;
        private int nodeCounter;
        private int freeCount;
        private long now;

        ClusterReplay(String cluster, List<Trace.Job> jobs, Totals totals) {
            this.cluster = cluster;
            this.jobs = jobs;
            this.totals = totals;
        }

        void run() {
            int nextArrival = 0;
            while (nextArrival < jobs.size() || !events.isEmpty()) {
                long t = Long.MAX_VALUE;
                if (nextArrival < jobs.size()) {
                    t = jobs.get(nextArrival).submitS() * 1000L;
                }
                if (!events.isEmpty() && events.peek().at() < t) {
                    t = events.peek().at();
                }
                now = t;
                Instant at = Instant.ofEpochMilli(t);
                while (!events.isEmpty() && events.peek().at() == t) {
                    apply(events.poll(), at);
                }
                while (nextArrival < jobs.size() && jobs.get(nextArrival).submitS() * 1000L == t) {
                    Trace.Job j = jobs.get(nextArrival);
                    queue.add(new WaitingJob(Integer.toString(nextArrival), j.nodes(), Priority.MEDIUM, nextArrival, null));
                    queuedBySize.merge(j.nodes(), 1, Integer::sum);
                    policy.observeJobQueued(cluster, j.nodes(), at);
                    nextArrival++;
                }
                place(at);
                scale(at);
            }
            for (Node n : nodes) { // never removed by the policy: billed until the last event
                totals.nodeMs += now - n.requestedAt;
            }
        }

        private void apply(Event e, Instant at) {
            switch (e.type()) {
                case COMPLETE -> {
                    for (Node n : running.get(e.ref())) {
                        setFree(n, at);
                    }
                    running.set(e.ref(), null);
                }
                case READY -> {
                    Node n = byName.get(cluster + "-" + e.ref());
                    setFree(n, at);
                }
                case CHECK -> pendingChecks.remove(e.at());
                default -> throw new IllegalStateException("unknown event " + e);
            }
        }

        private void setFree(Node n, Instant at) {
            n.state = State.FREE;
            n.scalingView = ScalingNode.idle(n.name, at);
            n.slotView = NodeSlot.free(n.name, at);
            idleOrder.add(n);
            freeCount++;
        }

        private void place(Instant at) {
            if (queue.isEmpty() || freeCount == 0) {
                return;
            }
            List<NodeSlot> slots = new ArrayList<>(nodes.size());
            for (Node n : nodes) {
                slots.add(n.slotView);
            }
            List<Start> starts = PlacementPlanner.plan(queue, slots, at);
            if (starts.isEmpty()) {
                return;
            }
            Set<String> startedIds = new HashSet<>();
            for (Start s : starts) {
                int jobIndex = Integer.parseInt(s.jobId());
                Trace.Job job = jobs.get(jobIndex);
                Node[] gang = new Node[s.nodes().size()];
                for (int k = 0; k < gang.length; k++) {
                    Node n = byName.get(s.nodes().get(k));
                    if (n == null || n.state != State.FREE) {
                        throw new IllegalStateException("planner chose a node that is not free: " + s.nodes().get(k));
                    }
                    n.state = State.BUSY;
                    n.scalingView = ScalingNode.busy(n.name);
                    n.slotView = NodeSlot.busy(n.name, at, null);
                    idleOrder.remove(n);
                    freeCount--;
                    gang[k] = n;
                }
                running.add(gang);
                push(now + job.durationS() * 1000L, COMPLETE, running.size() - 1);
                totals.waitsMs[totals.waitCount++] = now - job.submitS() * 1000L;
                startedIds.add(s.jobId());
                queuedBySize.computeIfPresent(job.nodes(), (size, n) -> n == 1 ? null : n - 1);
            }
            queue.removeIf(w -> startedIds.contains(w.jobId()));
        }

        private void scale(Instant at) {
            List<ScalingNode> views = new ArrayList<>(nodes.size());
            for (Node n : nodes) {
                if (n.state != State.FREE) {
                    views.add(n.scalingView);
                }
            }
            for (Node n : idleOrder) { // idle nodes in idle order: the policy need not sort them
                views.add(n.scalingView);
            }
            ClusterSnapshot snapshot = new ClusterSnapshot(cluster, settings, QueuedDemand.of(queuedBySize), views, 0,
                    null);
            ScalingDecision d = policy.decide(snapshot, at);
            int removed = 0;
            for (String name : d.removeNodes()) {
                Node n = byName.get(name);
                if (n != null && n.state == State.FREE) {
                    removeNode(n);
                    removed++;
                }
            }
            if (removed > 0) {
                totals.scaleDowns++;
                totals.nodesRemoved += removed;
            }
            int add = d.targetCount() - nodes.size();
            if (add > 0) {
                totals.scaleUps++;
                totals.nodesAdded += add;
                for (int k = 0; k < add; k++) {
                    int id = nodeCounter++;
                    Node n = new Node(cluster + "-" + id, now);
                    n.state = State.BOOTING;
                    n.scalingView = ScalingNode.preparing(n.name);
                    n.slotView = NodeSlot.booting(n.name, at, Instant.ofEpochMilli(now + bootMs));
                    n.index = nodes.size();
                    nodes.add(n);
                    byName.put(n.name, n);
                    push(now + bootMs, READY, id);
                }
            }
            if (d.nextCheckAt() != null) {
                long check = ceilMillis(d.nextCheckAt());
                if (check > now && pendingChecks.add(check)) {
                    push(check, CHECK, 0);
                }
            }
        }

        private void removeNode(Node n) {
            totals.nodeMs += now - n.requestedAt;
            idleOrder.remove(n);
            freeCount--;
            Node last = nodes.remove(nodes.size() - 1);
            if (last != n) {
                nodes.set(n.index, last);
                last.index = n.index;
            }
            byName.remove(n.name);
        }

        private void push(long at, int type, int ref) {
            events.add(new Event(at, type, ref, seq++));
        }
    }

    private static long ceilMillis(Instant i) {
        long ms = i.toEpochMilli();
        return Instant.ofEpochMilli(ms).isBefore(i) ? ms + 1 : ms;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long[] sortedCopy(long[] values, int n) {
        long[] copy = Arrays.copyOf(values, n);
        Arrays.sort(copy);
        return copy;
    }
}
