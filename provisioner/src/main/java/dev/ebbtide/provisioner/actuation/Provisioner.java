package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import dev.ebbtide.common.events.ProvisionerClusterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Actuation only: applies scale requests to a {@link CloudProvider} and publishes node states (the only writer of
 * {@code ebbtide.nodes.state}). What a node's state is follows from the {@link NodeBook} (cloud listings, agent
 * statuses, assignments, time); this class does the I/O around it: the cloud calls and the publishing. It is the last
 * guard against removing a busy node: a node is deleted only if it is idle with no job when the request is applied.
 * A lost node is deleted; the autoscaler replaces it if it is still needed.
 * <p>
 * Two locks, always taken in this order: the provisioner's own monitor serializes the cloud work (scale requests,
 * polls, reconciliation, deletions of lost nodes: a listing is never applied across a concurrent change); the book's
 * monitor guards the view and is held only briefly, so agent statuses are applied at once even while a cloud call
 * blocks (a late-applied heartbeat must never make a live node look lost).
 */
public class Provisioner {
    private static final Logger LOG = Logger.getLogger(Provisioner.class);

    private final CloudProvider provider;
    private final ProvisionerPublisher events;
    private final ScaleRequestHandler handler;
    private final Reconciler reconciler;
    private final CloudCaller caller;
    private final NodeBook book;
    private final Duration minPollInterval;
    private Instant lastPoll = Instant.EPOCH;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, ClusterSpec> clusters = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int ownedClusters;
    private final Map<String, NodePool> pools = new LinkedHashMap<>();
    /** Nodes found lost since the last tick, deleted by the next one (not on the statuses' thread). */
    private final java.util.Queue<NodeBook.Change> lost = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile dev.ebbtide.provisioner.instances.Instances instances;
    /** Told the name of each cluster handed over to another instance (e.g. the quota book forgets its wait). */
    private final List<java.util.function.Consumer<String>> handedOver = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Which clusters this instance acts for, and their durable records. */
    private volatile DurableState durable;

    /**
     * @param minPollInterval how often the cloud may be asked for its nodes (0 for local; Azure lists are API calls)
     */
    public Provisioner(CloudProvider provider, ProvisionerPublisher events, ScaleRequestHandler handler,
            Reconciler reconciler, CloudCaller caller, NodeBook book, Duration minPollInterval, MeterRegistry registry,
            Clock clock) {
        this.provider = provider;
        this.events = events;
        this.handler = handler;
        this.reconciler = reconciler;
        this.caller = caller;
        this.book = book;
        this.minPollInterval = minPollInterval;
        this.registry = registry;
        this.clock = clock;
        this.durable = DurableState.none(ScaleRequestLedger.inMemory(1), null, clock);
        io.micrometer.core.instrument.Gauge.builder(ProvisionerMetrics.OWNED_CLUSTERS, this, p -> p.ownedClusters)
                .description("Defined clusters this provisioner instance acts for (their partitions are assigned to it)")
                .register(registry);
    }

    /** Ownership and durable records (several instances); by default this instance owns every cluster, keeps nothing. */
    public void durable(DurableState durable) {
        this.durable = durable;
    }

    /** {@code hook} is told the name of each cluster this instance hands over to another. */
    public void onHandOver(java.util.function.Consumer<String> hook) {
        handedOver.add(hook);
    }

    /** Whether this instance acts for the cluster (its partition is assigned to this instance). */
    public boolean owns(String cluster) {
        return durable.ownership().owns(cluster);
    }

    /** Compute instances: started, stopped and deleted by their lifecycle; null = none (tests of pools only). */
    public void instances(dev.ebbtide.provisioner.instances.Instances instances) {
        this.instances = instances;
    }

    /** Learns a cluster and opens its pool, so nodes that exist already (after a restart) are found and adopted. */
    public synchronized void onClusterDefined(ClusterSpec spec) {
        clusters.put(spec.name(), spec);
        if (owns(spec.name())) {
            activate(spec);
        }
        countOwned();
    }

    /** Starts acting for an owned cluster: attach its pool, drive its instance or open its node pool and list it. */
    void activate(ClusterSpec spec) {
        if (spec.isInstance() && instances != null) {
            apply(b -> b.attach(spec.name(), clock.instant())); // its one node joins when its agent speaks
            instances.defined(spec);
            return;
        }
        if (!spec.scaled()) {
            // attached pool: no cloud, nothing to create or delete; its machines join by their agents' statuses
            apply(b -> b.attach(spec.name(), clock.instant()));
            return;
        }
        try {
            NodePool pool = pool(spec.name());
            pollQuietly(spec.name(), pool, clock.instant());
        } catch (CloudException e) {
            LOG.errorf("cluster %s: cannot open its node pool yet (%s): %s", spec.name(), e.errorClass(), e.getMessage());
        }
    }

    public synchronized boolean knowsCluster(String name) {
        return clusters.containsKey(name);
    }

    /**
     * Applies a scale request once (by request id, through the {@link ScaleRequestHandler}: retries, backoff,
     * classification): remove the named nodes that are still idle with no job, then grow to the target.
     */
    public synchronized void onScaleRequested(ScaleRequested r) {
        if (!owns(r.cluster())) {
            LOG.infof("scale request %s for %s skipped: %s does not own the cluster (partition %d)", r.requestId(),
                    r.cluster(), durable.ownership().instance(), durable.ownership().partitionOf(r.cluster()));
            return;
        }
        applyScaleRequest(r);
        // before the request's record is acknowledged; even if the partition was revoked meanwhile (the handover waits
        // for this monitor, so no other instance acts for the cluster yet)
        saveAndWait(List.of(r.cluster()), true);
    }

    private void applyScaleRequest(ScaleRequested r) {
        ClusterSpec spec = clusters.get(r.cluster());
        if (spec != null && !spec.scaled()) {
            LOG.warnf("scale request %s for %s ignored: %s compute is never created, scaled or deleted by Ebbtide",
                    r.requestId(), r.cluster(), spec.type());
            return;
        }
        NodePool pool;
        try {
            pool = pool(r.cluster());
        } catch (CloudException e) {
            // the scale set could not be read or created: back off like any failed scale-up, so the autoscaler
            // re-decides after the backoff instead of waiting for nodes that will not come
            Instant until = clock.instant().plusSeconds(30);
            LOG.errorf("cluster %s: cannot open its node pool (%s): %s; backing off until %s", r.cluster(),
                    e.errorClass(), e.getMessage(), until);
            events.backoffStarted(r.cluster(), e.errorClass(), until,
                    CloudReasons.forError(e.errorClass(), e.getMessage()));
            return;
        }
        if (pool == null) {
            LOG.errorf("scale request %s names unknown cluster %s: ignored", r.requestId(), r.cluster());
            return;
        }
        List<String> leaving = new java.util.ArrayList<>();
        ScaleRequestHandler.Outcome outcome = dev.ebbtide.provisioner.cloud.CallContext.with(r.requestId(),
                () -> handler.handle(r, pool, node -> markLeaving(node, r.requestId(), leaving)));
        Instant now = clock.instant();
        if (outcome.status() == ScaleRequestHandler.Status.DUPLICATE) {
            LOG.infof("scale request %s for %s already applied: ignored", r.requestId(), r.cluster());
            return;
        }
        outcome.added().forEach(node -> apply(b -> b.requested(r.cluster(), node, "requested by " + r.requestId())));
        outcome.removed().forEach(node -> apply(b -> b.removed(node, "scale-down request " + r.requestId())));
        leaving.stream().filter(n -> !outcome.removed().contains(n))
                .forEach(node -> apply(b -> b.kept(node, "the deletion failed: kept", now)));
        registry.counter("ebbtide_provisioner_nodes_removed_total", "cluster", r.cluster()).increment(outcome.removed().size());
        registry.counter("ebbtide_provisioner_nodes_added_total", "cluster", r.cluster()).increment(outcome.added().size());
        for (String node : r.removeNodes()) {
            if (!outcome.removed().contains(node)) {
                String why;
                synchronized (book) {
                    why = book.whyNotRemovable(node);
                }
                LOG.warnf("not removing %s from %s: %s", node, r.cluster(), why);
                registry.counter("ebbtide_provisioner_removals_refused_total", "cluster", r.cluster()).increment();
                apply(b -> b.removalRefused(node, why));
            }
        }
        LOG.infof("cluster %s: request %s (target %d) %s: added %s, removed %s", r.cluster(), r.requestId(),
                r.targetCount(), outcome.status(), outcome.added(), outcome.removed());
        if (outcome.status() != ScaleRequestHandler.Status.APPLIED) {
            LOG.warnf("cluster %s: request %s %s: %s", r.cluster(), r.requestId(), outcome.status(),
                    outcome.reason() == null ? "" : outcome.reason().message());
        }
        pollQuietly(r.cluster(), pool, now);
    }

    /** A node agent's status: the node becomes idle / running / lost accordingly. Never waits for a cloud call. */
    public void onAgentStatus(NodeAgentStatus s) {
        List<NodeBook.Change> changes = apply(b -> b.agentStatus(s, clock.instant()));
        changes.stream().filter(c -> c.state() == NodeState.lost).forEach(lost::add);
        saveAndWait(changes.stream().map(NodeBook.Change::cluster).distinct().toList(), false);
    }

    /** The answer to a simulated eviction: an HTTP status and one sentence. */
    public record Eviction(int status, String message) {
    }

    /**
     * Evicts a node of a low-priority cluster as the cloud would: its job goes back to the queue first (the node is
     * lost), then the cloud evicts it (locally: its agent killed at once; Azure: {@code simulateEviction}); the
     * autoscaler replaces it if it is still needed. Dedicated clusters, attached compute and instances refuse.
     */
    public synchronized Eviction simulateEviction(String cluster, String node) {
        ClusterSpec spec = clusters.get(cluster);
        if (spec == null) {
            return new Eviction(404, "no cluster '" + cluster + "'");
        }
        if (!spec.scaled()) {
            return new Eviction(409, cluster + " is " + spec.type() + " compute: only nodes of a low-priority cluster "
                    + "can be evicted");
        }
        if (!owns(cluster)) {
            return new Eviction(409, "cluster " + cluster + " is owned by another provisioner instance (partition "
                    + durable.ownership().partitionOf(cluster) + "): ask that instance; ./ebbtide status shows which");
        }
        if (!"low_priority".equals(spec.tier())) {
            return new Eviction(409, "cluster " + cluster + " is dedicated: only nodes of a low-priority cluster "
                    + "(tier: low_priority) can be evicted");
        }
        boolean known;
        synchronized (book) {
            known = book.tracked(cluster).contains(node);
        }
        NodePool pool = pools.get(cluster);
        if (!known || pool == null) {
            return new Eviction(404, "cluster " + cluster + " has no node '" + node + "'");
        }
        nodeStopping(node, "evicted (a simulated eviction of a low-priority node)");
        CloudCaller.Result<Void> r = caller.run(cluster, "simulate eviction of " + node, () -> pool.simulateEviction(node));
        if (r.failed()) {
            return new Eviction(502, "the cloud did not evict " + node + " (" + r.failure().errorClass() + "): "
                    + r.failure().getMessage());
        }
        LOG.warnf("cluster %s: node %s evicted (simulated); its job goes back to the queue", cluster, node);
        return new Eviction(202, "node " + node + " of " + cluster + " evicted; its job goes back to the queue");
    }

    /** A node is stopped on purpose next (a compute instance): lost now, so its job goes back to the queue. */
    public void nodeStopping(String node, String reason) {
        List<NodeBook.Change> changes = apply(b -> b.stopping(node, reason));
        changes.stream().filter(c -> c.state() == NodeState.lost).forEach(lost::add);
        saveAndWait(changes.stream().map(NodeBook.Change::cluster).distinct().toList(), false);
    }

    /** An assignment: its nodes are busy from now on (the busy guard), until their agents report the attempt. */
    public void onJobAssigned(JobAssigned a) {
        if (!owns(a.cluster())) {
            return;
        }
        apply(b -> b.assigned(a, clock.instant()));
        saveAndWait(List.of(a.cluster()), false);
    }

    /** Time passes: nodes whose agents fell silent are lost, published, then deleted. */
    public void tick() {
        if (instances != null) {
            // not under this monitor (a long cloud call must not delay lost nodes): only owned instances are known
            instances.tick();
        }
        apply(b -> b.tick(clock.instant())).stream().filter(c -> c.state() == NodeState.lost).forEach(lost::add);
        if (!lost.isEmpty()) {
            deleteLost();
        }
        saveAndWait(ownedClusters(), false); // what changed without a wait (an instance's lifecycle), or failed before
    }

    private synchronized void deleteLost() {
        for (NodeBook.Change c = lost.poll(); c != null; c = lost.poll()) {
            if (!owns(c.cluster())) {
                continue; // the cluster's new owner deletes it
            }
            LOG.warnf("cluster %s: node %s is lost (%s); deleting it", c.cluster(), c.node(), c.reason());
            registry.counter("ebbtide_provisioner_nodes_lost_total", "cluster", c.cluster()).increment();
            deleteNode(c.cluster(), c.node(), "lost: " + c.reason());
        }
    }

    /** The deletion guard: an idle node with no job is marked leaving (atomically) and may be deleted. */
    private boolean markLeaving(String node, String requestId, List<String> leaving) {
        synchronized (book) {
            if (!book.removable(node)) {
                return false;
            }
            publish(book.leaving(node, "scale-down request " + requestId), clock.instant());
            leaving.add(node);
            return true;
        }
    }

    /** Applies one event to the view and publishes its changes, in the view's order. */
    private List<NodeBook.Change> apply(java.util.function.Function<NodeBook, List<NodeBook.Change>> event) {
        synchronized (book) {
            List<NodeBook.Change> changes = event.apply(book);
            publish(changes, clock.instant());
            return changes;
        }
    }

    private void deleteNode(String cluster, String node, String reason) {
        if (clusters.containsKey(cluster) && !clusters.get(cluster).scaled()) {
            apply(b -> b.left(node, "left the attached pool (" + reason + "); it joins again when its agent speaks"));
            return; // never deleted: Ebbtide does not own the machine
        }
        NodePool pool = pools.get(cluster);
        if (pool == null) {
            return;
        }
        CloudCaller.Result<Void> r = dev.ebbtide.provisioner.cloud.CallContext.with(reason.startsWith("lost") ? "lost" : "reconcile",
                () -> caller.run(cluster, "delete " + node, () -> pool.deleteNodes(List.of(node))));
        if (r.failed()) {
            LOG.warnf("cluster %s: cannot delete %s yet (%s); the reconciler tries again", cluster, node,
                    r.failure().errorClass());
            return;
        }
        apply(b -> b.removed(node, reason));
    }

    /**
     * Compares what Ebbtide believes with the cloud (periodically and after a restart): nodes stuck in provisioning
     * past the limit, whose agent never announced itself, or failed are given up, deleted and replaced; lost nodes
     * whose deletion failed are deleted again.
     */
    public synchronized void reconcileAll() {
        Instant now = clock.instant();
        for (Map.Entry<String, NodePool> e : pools.entrySet()) {
            String cluster = e.getKey();
            if (!owns(cluster)) {
                continue;
            }
            List<String> stillLost;
            java.util.Set<String> tracked;
            java.util.Set<String> announced;
            synchronized (book) {
                stillLost = book.inState(cluster, NodeState.lost);
                tracked = book.tracked(cluster);
                announced = book.announced(cluster);
            }
            stillLost.forEach(node -> deleteNode(cluster, node, "lost"));
            Reconciler.Result result = dev.ebbtide.provisioner.cloud.CallContext.with("reconcile",
                    () -> reconciler.reconcile(e.getValue(), tracked, announced));
            for (Reconciler.Unusable u : result.unusable()) {
                apply(b -> b.givenUp(u.node(), u.reason().message()));
            }
            for (String node : result.adopted()) {
                apply(b -> b.adopted(cluster, node, "adopted: found in the cloud, unknown to Ebbtide", now));
            }
            for (String node : result.replacedNodes()) {
                apply(b -> b.requested(cluster, node, "replacement for an unusable node"));
            }
            pollQuietly(cluster, e.getValue(), now);
        }
        saveAndWait(ownedClusters(), false);
    }

    /** Compares every pool's nodes with the view and publishes the differences. */
    public synchronized void pollAll() {
        Instant now = clock.instant();
        if (Duration.between(lastPoll, now).compareTo(minPollInterval) < 0) {
            return;
        }
        lastPoll = now;
        pools.forEach((cluster, pool) -> {
            if (owns(cluster)) {
                pollQuietly(cluster, pool, now);
            }
        });
    }

    private void pollQuietly(String cluster, NodePool pool, Instant now) {
        try {
            List<dev.ebbtide.provisioner.cloud.CloudNode> listing = pool.nodes();
            List<NodeBook.Change> changes = apply(b -> b.listed(cluster, listing, clock.instant()));
            changes.stream().filter(c -> c.reason() != null && c.reason().startsWith("adopted")).forEach(c -> LOG.infof(
                    "cluster %s: node %s known again (%s), its agent heart-beating", cluster, c.node(), c.state()));
        } catch (CloudException ex) {
            LOG.warnf("cluster %s: cannot list nodes (%s): %s", cluster, ex.errorClass(), ex.getMessage());
        }
    }

    private void publish(List<NodeBook.Change> changes, Instant now) {
        for (NodeBook.Change c : changes) {
            events.nodeStateChanged(new NodeStateChanged(c.cluster(), c.node(), c.state(), c.previous(), c.jobId(),
                    c.reason(), c.address(), c.port(), now));
            if (instances != null) {
                instances.nodeState(c.cluster(), c.state(), c.reason());
            }
        }
    }

    private NodePool pool(String cluster) {
        if (clusters.containsKey(cluster) && !clusters.get(cluster).scaled()) {
            return null; // attached: no pool
        }
        NodePool pool = pools.get(cluster);
        if (pool == null && clusters.containsKey(cluster)) {
            pool = provider.nodePool(clusters.get(cluster));
            pools.put(cluster, pool);
        }
        return pool;
    }

    /**
     * Its clusters and how many nodes each has (every node the book tracks uses cores until it is deleted), for the
     * quota book. Reads take the provisioner's monitor, then the book's, in the usual order.
     */
    public dev.ebbtide.provisioner.quota.Quotas.UsageView usageView() {
        return new dev.ebbtide.provisioner.quota.Quotas.UsageView() {
            @Override
            public Map<String, ClusterSpec> clusters() {
                synchronized (Provisioner.this) {
                    return Map.copyOf(clusters);
                }
            }

            @Override
            public int nodes(String cluster) {
                if (!owns(cluster)) {
                    return listedByTheCloud(cluster);
                }
                synchronized (book) {
                    return book.tracked(cluster).size();
                }
            }
        };
    }

    /**
     * The nodes of a cluster another instance owns, for the local quota (it counts Ebbtide's own nodes): the local
     * cloud's listing, shared by the instances of the machine. Other providers report usage themselves: 0.
     */
    private int listedByTheCloud(String cluster) {
        ClusterSpec spec = clusters.get(cluster);
        if (spec == null || !spec.scaled() || !dev.ebbtide.provisioner.cloud.local.LocalCloudProvider.NAME.equals(provider.name())) {
            return 0;
        }
        try {
            return provider.nodePool(spec).nodes().size();
        } catch (CloudException e) {
            return 0;
        }
    }

    // --- ownership: which clusters this instance acts for, and their durable records ---

    /**
     * Partitions were assigned: their clusters are taken over from their durable records (node table, ledger, backoff,
     * instance), then acted for (each defined one's pool is listed: nodes the cloud no longer has are published
     * deleted, nodes it has that the record lacks are adopted). Loading the records is the caller's, before.
     */
    synchronized void takeOver(Set<Integer> partitions, Collection<ProvisionerClusterState> records) {
        for (ProvisionerClusterState r : records) {
            if (!owns(r.cluster())) {
                continue;
            }
            synchronized (book) {
                durable.restore(r, book, instances);
                book.inState(r.cluster(), NodeState.lost).forEach(n -> lost.add(new NodeBook.Change(r.cluster(), n,
                        NodeState.lost, NodeState.lost, null, "lost before the takeover", null, null)));
            }
            LOG.infof("cluster %s: taken over from %s's record of %s: %d node(s), %d applied request(s)%s", r.cluster(),
                    r.sender(), r.at(), r.nodes().size(), r.appliedRequests().size(),
                    r.backoff() == null ? "" : ", backoff until " + r.backoff().until());
        }
        for (ClusterSpec spec : List.copyOf(clusters.values())) {
            if (owns(spec.name()) && partitions.contains(durable.ownership().partitionOf(spec.name()))) {
                activate(spec); // lists its pool: nodes gone from the cloud are published deleted
            }
        }
        // a deletion the previous owner did not finish (the node is still listed): it follows its agent again
        for (ProvisionerClusterState r : records) {
            List<String> leaving;
            synchronized (book) {
                leaving = owns(r.cluster()) ? book.inState(r.cluster(), NodeState.leaving) : List.of();
            }
            leaving.forEach(n -> apply(b -> b.kept(n, "its deletion was interrupted by a takeover", clock.instant())));
        }
        countOwned();
    }

    /**
     * Partitions were revoked (they already left the owned set, so nothing new starts for them): runs once the cloud
     * work in progress is done (this monitor), writes their clusters' final records, then forgets them — their pools,
     * nodes (nothing is published), ledger, backoff and instances. Returns once the records are stored.
     */
    synchronized void handOver(Set<Integer> partitions) {
        Set<String> leaving = new TreeSet<>(clusters.keySet());
        leaving.addAll(pools.keySet());
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        synchronized (book) {
            leaving.addAll(book.clusters());
            leaving.removeIf(c -> !partitions.contains(durable.ownership().partitionOf(c)));
            for (String c : leaving) {
                sent.add(durable.save(c, book, instances));
                book.forgetCluster(c);
            }
        }
        DurableState.await(sent, "the final records of " + leaving, false);
        for (String c : leaving) {
            pools.remove(c);
            durable.forget(c);
            handedOver.forEach(h -> h.accept(c));
            if (instances != null) {
                instances.forget(c);
            }
        }
        lost.removeIf(c -> leaving.contains(c.cluster()));
        countOwned();
    }

    private void countOwned() {
        int owned = (int) clusters.keySet().stream().filter(this::owns).count();
        if (owned != ownedClusters) {
            LOG.infof("%s acts for %d cluster(s) now (partitions %s of %d)", durable.ownership().instance(), owned,
                    durable.ownership().owned(), durable.ownership().partitions());
        }
        ownedClusters = owned;
    }

    /** The clusters this instance owns: defined ones and those with tracked nodes. */
    private List<String> ownedClusters() {
        Set<String> all = new TreeSet<>(clusters.keySet());
        synchronized (book) {
            all.addAll(book.clusters());
        }
        return all.stream().filter(this::owns).toList();
    }

    /** See {@link DurableState#saveAndWait}: under the book's monitor, with this instance's compute instances. */
    private void saveAndWait(Collection<String> clusters, boolean required) {
        durable.saveAndWait(clusters, required, book, instances);
    }

    /** Node states as last published, for the REST view. */
    public Map<String, NodeBook.View> nodes() {
        synchronized (book) {
            return book.view();
        }
    }
}
