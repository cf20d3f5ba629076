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
import java.util.SplittableRandom;

/**
 * The world of one replayed cluster (see {@link Simulation} for the model): the event queue, the nodes, the queue,
 * placement with {@link PlacementPlanner}, and the bill; the decisions come from its {@link Controller}.
 */
final class ClusterReplay {

    private static final int COMPLETE = 0;
    private static final int READY = 1;
    private static final int CHECK = 2;
    private static final int EVICT = 3;
    /** Decisions at one instant at most: the first and its follow-ups on the provisioner's answer. */
    private static final int MAX_ROUNDS = 4;
    /** After a scale-up cut by the quota, the cluster decides again this much later (the quota re-look). */
    static final long QUOTA_RETRY_MS = 60_000;

    private ClusterReplay() {}

    static final class Totals {
        final long[] waitsMs;
        int waitCount;
        double nodeMs;
        long scaleUps;
        long scaleDowns;
        long nodesAdded;
        long nodesRemoved;
        /** Node-ms of nodes up and idle while jobs waited. */
        double heldIdleNodeMs;

        long quotaRefusals;
        long evictions;
        long requeues;
        double lostNodeMs;
        long failedJobs;
        long gangReleases;
        /** Jobs still queued when the replay stalled (clusters holding quota for each other's gangs). */
        long stalledJobs;
        /** Nodes still held when the replay stalled. */
        long stalledNodes;

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
        int run = -1; // index in Replay.running while busy
        Event eviction; // a Spot node's pending eviction
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
        private final List<Run> running = new ArrayList<>(); // completion ref -> run
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

        private final Capacity capacity;
        /** Nodes that count against the quota, shared by the clusters replayed together. */
        private final int[] quotaUsed;
        /** Per job (index in {@link #jobs}): work left, attempts started, whether it has started once. */
        private final long[] remainingMs;

        private final int[] attempts;
        private final boolean[] startedOnce;

        private long seq;
        private int nextArrival;
        /** Since when the head has waited for nodes the quota refused (atomic gangs), or -1. */
        private long blockedSince = -1;
        /** No scale-up before this instant (the back-off after giving nodes back). */
        private long backoffUntil;
        /** The head whose wait {@link #blockedSince} times. */
        private String blockedHead;
        /** Counts changes (arrivals, starts, nodes added or removed) to tell a stalled replay from a quiet one. */
        long changesMade;

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
                List<Simulation.Decided> decisions,
                Capacity capacity,
                int[] quotaUsed) {
            this.capacity = capacity;
            this.quotaUsed = quotaUsed;
            this.remainingMs = new long[jobs.size()];
            this.attempts = new int[jobs.size()];
            this.startedOnce = new boolean[jobs.size()];
            for (int k = 0; k < jobs.size(); k++) {
                remainingMs[k] = jobs.get(k).durationS() * 1000L;
            }
            this.cluster = cluster;
            this.jobs = jobs;
            this.totals = totals;
            this.controller = controller;
            this.bootMs = bootMs;
            this.decisions = decisions;
        }

        void run() {
            while (hasNext()) {
                step();
            }
            finish();
        }

        /** Whether an arrival or an event is left. */
        boolean hasNext() {
            return nextArrival < jobs.size() || !events.isEmpty();
        }

        /** The instant of the next arrival or event ({@link #hasNext()} must be true). */
        long nextAt() {
            long t = Long.MAX_VALUE;
            if (nextArrival < jobs.size()) {
                t = jobs.get(nextArrival).submitS() * 1000L;
            }
            if (!events.isEmpty() && events.peek().at() < t) {
                t = events.peek().at();
            }
            return t;
        }

        /** Replays the next instant: its events, its arrivals, placement, the decision. */
        void step() {
            long t = nextAt();
            if (!queue.isEmpty()) { // free nodes held while jobs wait, since the last instant
                totals.heldIdleNodeMs += (double) freeCount * (t - now);
            }
            now = t;
            Instant at = Instant.ofEpochMilli(t);
            while (!events.isEmpty() && events.peek().at() == t) {
                apply(events.poll(), at);
            }
            while (nextArrival < jobs.size() && jobs.get(nextArrival).submitS() * 1000L == t) {
                Trace.Job j = jobs.get(nextArrival);
                queue.add(new WaitingJob(Integer.toString(nextArrival), j.nodes(), Priority.MEDIUM, nextArrival, null));
                arrivals.add(new Controller.Arrival(cluster + "#" + nextArrival, j.nodes(), at));
                queuedBySize.merge(j.nodes(), 1, Integer::sum);
                nextArrival++;
                changesMade++;
            }
            place(at);
            scale(at);
        }

        /** Bills the nodes never removed until the last instant ({@code end}, at least this cluster's last). */
        void finish(long end) {
            now = Math.max(now, end);
            for (Node n : nodes) { // never removed by the policy: billed until the last event
                totals.nodeMs += now - n.requestedAt;
            }
        }

        void finish() {
            finish(now);
        }

        long now() {
            return now;
        }

        private void apply(Event e, Instant at) {
            switch (e.type()) {
                case COMPLETE -> {
                    Run r = running.get(e.ref());
                    if (r == null) { // evicted before its end
                        return;
                    }
                    for (Node n : r.gang()) {
                        n.run = -1;
                        setFree(n, at);
                    }
                    running.set(e.ref(), null);
                }
                case READY -> {
                    Node n = byName.get(cluster + "-" + e.ref());
                    if (n != null && n.state == State.BOOTING) { // not evicted while booting
                        setFree(n, at);
                    }
                }
                case EVICT -> {
                    Node n = byName.get(cluster + "-" + e.ref());
                    if (n != null) {
                        n.eviction = null;
                    }
                    evict(n, at);
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
                    n.run = running.size();
                    n.scalingView = ScalingNode.busy(n.name);
                    n.slotView = NodeSlot.busy(n.name, at, null);
                    idleOrder.remove(n);
                    freeCount--;
                    changes.add(new Controller.NodeChange(n.name, "running"));
                    gang[k] = n;
                }
                running.add(new Run(gang, jobIndex, now));
                changesMade++;
                attempts[jobIndex]++;
                push(now + remainingMs[jobIndex], COMPLETE, running.size() - 1);
                if (!startedOnce[jobIndex]) { // wait = first start - submit
                    startedOnce[jobIndex] = true;
                    totals.waitsMs[totals.waitCount++] = now - job.submitS() * 1000L;
                }
                startedIds.add(s.jobId());
                queuedBySize.computeIfPresent(job.nodes(), (size, n) -> n == 1 ? null : n - 1);
            }
            queue.removeIf(w -> startedIds.contains(w.jobId()));
        }

        private void scale(Instant at) {
            releaseHeldGang();
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
            int add = grant(d.targetCount() - nodes.size());
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
                    quotaUsed[0]++;
                    changesMade++;
                    byName.put(n.name, n);
                    added.add(n.name);
                    push(now + bootMs, READY, id);
                    if (capacity.spot() && capacity.evictionsPerNodeHour() > 0) {
                        n.eviction = push(now + lifetimeMs(id), EVICT, id);
                    }
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
            quotaUsed[0]--;
            changesMade++;
            if (n.eviction != null) { // a removed node is not evicted: its event must not keep the replay going
                events.remove(n.eviction);
                n.eviction = null;
            }
            if (n.state == State.FREE) {
                idleOrder.remove(n);
                freeCount--;
            }
            Node last = nodes.remove(nodes.size() - 1);
            if (last != n) {
                nodes.set(n.index, last);
                last.index = n.index;
            }
            byName.remove(n.name);
        }

        /**
         * The nodes the provisioner grants of {@code wanted} under the quota: all without one; with one, at most what
         * it leaves, and with atomic gangs only whole gangs in queue order (a gang's missing nodes all or none).
         */
        private int grant(int wanted) {
            if (wanted <= 0 || capacity.quotaNodes() < 0) {
                return wanted;
            }
            int limit = now < backoffUntil ? 0 : Math.min(wanted, Math.max(0, capacity.quotaNodes() - quotaUsed[0]));
            int granted = capacity.atomicGangs() ? wholeGangs(limit) : limit;
            if (granted < wanted) {
                totals.quotaRefusals++;
                if (capacity.atomicGangs() && blockedSince < 0) {
                    blockedSince = now;
                    blockedHead = head();
                    push(now + capacity.gangDeadlineS() * 1000L, CHECK, 0);
                }
                long retry = Math.max(now, backoffUntil) + QUOTA_RETRY_MS;
                if (pendingChecks.add(retry)) { // another cluster may give quota back meanwhile
                    push(retry, CHECK, 0);
                }
            }
            return granted;
        }

        /** The new nodes, at most {@code limit}, that complete whole gangs of the queue in order. */
        private int wholeGangs(int limit) {
            int spare = 0; // free or booting nodes not yet counted for a job
            for (Node n : nodes) {
                if (n.state != State.BUSY) {
                    spare++;
                }
            }
            int granted = 0;
            for (WaitingJob j : queue) { // in queue order (a requeue sorts the queue)
                if (j.nodes() <= spare) {
                    spare -= j.nodes();
                    continue;
                }
                int need = j.nodes() - spare;
                spare = 0;
                if (granted + need > limit) {
                    break;
                }
                granted += need;
            }
            return granted;
        }

        /**
         * Atomic gangs: once the head has waited {@code max_gang_provision_time} for nodes the quota refused, the idle
         * nodes held for it are given back and the cluster backs off, so clusters cannot hold quota for each other's
         * gangs forever.
         */
        private void releaseHeldGang() {
            if (queue.isEmpty() || (blockedSince >= 0 && !head().equals(blockedHead))) {
                blockedSince = -1; // the head started: a new head's wait starts with its own refusal
                return;
            }
            if (!capacity.atomicGangs()
                    || capacity.quotaNodes() < 0
                    || blockedSince < 0
                    || now - blockedSince < capacity.gangDeadlineS() * 1000L) {
                return;
            }
            List<Node> free = new ArrayList<>(idleOrder);
            List<String> names = new ArrayList<>();
            for (Node n : free) {
                removeNode(n);
                names.add(n.name);
                changes.add(new Controller.NodeChange(n.name, "deleted"));
            }
            if (!names.isEmpty()) {
                totals.gangReleases++;
                totals.nodesRemoved += names.size();
                controller.applied(Instant.ofEpochMilli(now), List.of(), names);
            }
            blockedSince = -1;
            backoffUntil = now + QUOTA_RETRY_MS;
            if (pendingChecks.add(backoffUntil)) {
                push(backoffUntil, CHECK, 0);
            }
        }

        /** The first waiting job in queue order (the queue must not be empty). */
        private String head() {
            return queue.get(0).jobId();
        }

        /** Whether only re-checks are left (no arrival, completion, boot or eviction to come). */
        boolean onlyChecksLeft() {
            if (nextArrival < jobs.size()) {
                return false;
            }
            for (Event e : events) {
                if (e.type() != CHECK) {
                    return false;
                }
            }
            return true;
        }

        /** The replay stalled: what is still queued never starts, what is held is billed until {@code end}. */
        void stall(long end) {
            totals.stalledJobs += queue.size();
            totals.stalledNodes += nodes.size();
            events.clear();
            if (!queue.isEmpty() && now > end) { // nothing changed after end: its re-checks held the same nodes
                totals.heldIdleNodeMs -= (double) freeCount * (now - end);
            }
            now = end;
            finish(end);
        }

        /** A Spot node's lifetime before its eviction: exponential with the rate, drawn from (seed, cluster, node). */
        private long lifetimeMs(int id) {
            SplittableRandom random =
                    new SplittableRandom(capacity.seed() * 0x9E3779B97F4A7C15L + cluster.hashCode() * 31L + id);
            double u = 1.0 - random.nextDouble(); // (0, 1]
            double hours = -Math.log(u) / capacity.evictionsPerNodeHour();
            return Math.max(1, Math.round(hours * 3_600_000.0));
        }

        /**
         * A Spot node is evicted: it is gone (billed until now); if it ran a job, the job's other nodes are freed, its
         * work since its start (or last checkpoint) is lost, and it is requeued in its place, or fails on its last
         * attempt.
         */
        private void evict(Node n, Instant at) {
            if (n == null) { // removed before its eviction
                return;
            }
            totals.evictions++;
            if (n.state == State.BUSY) {
                Run r = running.get(n.run);
                running.set(n.run, null);
                int jobIndex = r.job();
                Trace.Job job = jobs.get(jobIndex);
                long ran = now - r.startedAt();
                long every = job.checkpointS() > 0 ? job.checkpointS() * 1000L : capacity.checkpointS() * 1000L;
                long kept = every > 0 ? Math.min(remainingMs[jobIndex], ran / every * every) : 0;
                remainingMs[jobIndex] -= kept;
                totals.lostNodeMs += (double) (ran - kept) * r.gang().length;
                for (Node other : r.gang()) {
                    other.run = -1;
                    if (other != n) {
                        setFree(other, at);
                    }
                }
                if (attempts[jobIndex] >= capacity.maxAttempts()) {
                    totals.failedJobs++;
                } else {
                    totals.requeues++;
                    queue.add(new WaitingJob(Integer.toString(jobIndex), job.nodes(), Priority.MEDIUM, jobIndex, null));
                    queue.sort(PlacementPlanner.QUEUE_ORDER); // back in its place: the queue stays in queue order
                    queuedBySize.merge(job.nodes(), 1, Integer::sum);
                }
            }
            removeNode(n);
            changes.add(new Controller.NodeChange(n.name, "deleted"));
        }

        private Event push(long at, int type, int ref) {
            Event e = new Event(at, type, ref, seq++);
            events.add(e);
            return e;
        }
    }

    /** A job running on its gang since {@code startedAt}. */
    private record Run(Node[] gang, int job, long startedAt) {}

    private static long ceilMillis(Instant i) {
        long ms = i.toEpochMilli();
        return Instant.ofEpochMilli(ms).isBefore(i) ? ms + 1 : ms;
    }
}
