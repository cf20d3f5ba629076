package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.core.scaling.ScalingNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The world of one replayed cluster (see {@link Simulation} for the model): the event queue, the nodes, the queue,
 * placement with {@link PlacementPlanner}, and the bill; the decisions come from its {@link Controller}.
 */
final class ClusterReplay {

    private static final int COMPLETE = 0;
    private static final int READY = 1;
    private static final int CHECK = 2;
    /** Decisions at one instant at most: the first and its follow-ups on the provisioner's answer. */
    private static final int MAX_ROUNDS = 4;

    private ClusterReplay() {}

    static final class Totals {
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

    private enum State {
        BOOTING,
        FREE,
        BUSY
    }

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
    static final class Replay implements Controller.ClusterView {
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
        private final List<Controller.Arrival> arrivals = new ArrayList<>();
        private final List<Controller.NodeChange> changes = new ArrayList<>();
        private final Controller controller;
        private final long bootMs;
        private final List<Simulation.Decided> decisions;
        /** Queued jobs by the nodes each needs, kept as jobs come and start, as the scheduler keeps them. */
        private final Map<Integer, Integer> queuedBySize = new java.util.TreeMap<>();

        private long seq;
        private int nodeCounter;
        private int freeCount;
        private boolean scaledUp;
        private boolean scaledDown;
        private long now;

        Replay(
                String cluster,
                List<Trace.Job> jobs,
                Totals totals,
                Controller controller,
                long bootMs,
                List<Simulation.Decided> decisions) {
            this.cluster = cluster;
            this.jobs = jobs;
            this.totals = totals;
            this.controller = controller;
            this.bootMs = bootMs;
            this.decisions = decisions;
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
                    queue.add(new WaitingJob(
                            Integer.toString(nextArrival), j.nodes(), Priority.MEDIUM, nextArrival, null));
                    arrivals.add(new Controller.Arrival(cluster + "#" + nextArrival, j.nodes(), at));
                    queuedBySize.merge(j.nodes(), 1, Integer::sum);
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
            changes.add(new Controller.NodeChange(n.name, "idle"));
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
                        throw new IllegalStateException("planner chose a node that is not free: "
                                + s.nodes().get(k));
                    }
                    n.state = State.BUSY;
                    n.scalingView = ScalingNode.busy(n.name);
                    n.slotView = NodeSlot.busy(n.name, at, null);
                    idleOrder.remove(n);
                    freeCount--;
                    changes.add(new Controller.NodeChange(n.name, "running"));
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
            Controller.Decision d = controller.decide(at, this);
            arrivals.clear();
            changes.clear();
            // the live autoscaler decides again on the provisioner's answer (nodes preparing, nodes deleted): so does
            // the replay, at the same instant, until a decision changes nothing (bounded: a policy must settle)
            scaledUp = false;
            scaledDown = false;
            for (int round = 0; d != null && apply(d, at) && round < MAX_ROUNDS; round++) {
                d = controller.decide(at, this);
            }
            if (scaledUp) { // scale actions count once per instant, however the decisions split them
                totals.scaleUps++;
            }
            if (scaledDown) {
                totals.scaleDowns++;
            }
            Instant wake = controller.wakeUpAt();
            if (wake != null) {
                long check = ceilMillis(wake);
                if (check > now && pendingChecks.add(check)) {
                    push(check, CHECK, 0);
                }
            }
        }

        /** Applies a decision; true when it changed something. */
        private boolean apply(Controller.Decision d, Instant at) {
            int sizeBefore = nodes.size();
            List<String> removedNames = new ArrayList<>();
            for (String name : d.removeNodes()) {
                Node n = byName.get(name);
                if (n != null && n.state == State.FREE) {
                    removeNode(n);
                    removedNames.add(name);
                }
            }
            int removed = removedNames.size();
            if (removed > 0) {
                scaledDown = true;
                totals.nodesRemoved += removed;
            }
            int add = d.targetCount() - nodes.size();
            List<String> added = new ArrayList<>();
            if (add > 0) {
                scaledUp = true;
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
                    added.add(n.name);
                    push(now + bootMs, READY, id);
                }
            }
            if (decisions != null
                    && (d.targetCount() != sizeBefore || !d.removeNodes().isEmpty())) {
                decisions.add(new Simulation.Decided(cluster, at, d.targetCount(), d.removeNodes()));
            }
            if (!added.isEmpty() || !removedNames.isEmpty()) {
                controller.applied(at, added, removedNames);
                return true;
            }
            return false;
        }

        @Override
        public String cluster() {
            return cluster;
        }

        @Override
        public List<WaitingJob> queue() {
            return queue;
        }

        @Override
        public Map<Integer, Integer> queuedBySize() {
            return queuedBySize;
        }

        @Override
        public List<ScalingNode> nodes() {
            List<ScalingNode> views = new ArrayList<>(nodes.size());
            for (Node n : nodes) {
                if (n.state != State.FREE) {
                    views.add(n.scalingView);
                }
            }
            for (Node n : idleOrder) { // idle nodes in idle order: the policy need not sort them
                views.add(n.scalingView);
            }
            return views;
        }

        @Override
        public List<String> busyNodes() {
            List<String> busy = new ArrayList<>();
            for (Node n : nodes) {
                if (n.state == State.BUSY) {
                    busy.add(n.name);
                }
            }
            return busy;
        }

        @Override
        public List<Controller.Arrival> arrivals() {
            return arrivals;
        }

        @Override
        public List<Controller.NodeChange> changes() {
            return changes;
        }

        @Override
        public int size() {
            return nodes.size();
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
}
