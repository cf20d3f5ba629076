package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import dev.ebbtide.provisioner.quota.Quotas;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
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
 * <p>
 * This class is the entry point and holds the first lock; the work is done by {@link ScaleRequests} (a scale
 * request), {@link CloudSync} (opening, listing and reconciling pools, deleting lost nodes), {@link Handover}
 * (takeover and handover of owned clusters) and {@link PublishedBook} (the book behind its monitor, every change
 * published). Those never take the provisioner's monitor themselves: they run under the caller's.
 */
public class Provisioner {
    private static final Logger LOG = Logger.getLogger(Provisioner.class);

    private final Pools pools;
    private final PublishedBook book;
    private final CloudSync sync;
    private final ScaleRequests scaleRequests;
    private final Handover handover;
    private final CloudCaller caller;
    private final Clock clock;
    private final Gangs gangs = new Gangs();
    private final GangDeadlines gangDeadlines;
    /** Which clusters this instance acts for, and their durable records. */
    private volatile DurableState durable;

    /**
     * @param minPollInterval how often the cloud may be asked for its nodes (0 for local; Azure lists are API calls)
     */
    public Provisioner(
            CloudProvider provider,
            ProvisionerPublisher events,
            ScaleRequestHandler handler,
            Reconciler reconciler,
            CloudCaller caller,
            NodeBook book,
            Duration minPollInterval,
            MeterRegistry registry,
            Clock clock) {
        this.caller = caller;
        this.clock = clock;
        this.durable = DurableState.none(ScaleRequestLedger.inMemory(1), null, clock);
        this.durable.gangs(gangs);
        this.pools = new Pools(provider);
        this.book = new PublishedBook(book, events, clock);
        this.sync = new CloudSync(pools, this.book, reconciler, caller, this::owns, minPollInterval, registry, clock);
        this.scaleRequests = new ScaleRequests(pools, this.book, sync, handler, events, registry, clock, gangs);
        this.book.gangs(gangs);
        this.book.choices(pools::choiceOf);
        ProvisionerMetrics metrics = new ProvisionerMetrics(registry);
        this.pools.refusals((cluster, errorClass, message) -> {
            metrics.cloudError(cluster, errorClass);
            events.cloudError(cluster, errorClass, message + " (trying the next fallback choice)");
        });
        this.gangDeadlines =
                new GangDeadlines(gangs, pools, this.book, caller, handler.backoff(), events, scaleRequests, clock);
        this.handover = new Handover(pools, this.book, sync, () -> durable, registry, clock);
    }

    /** The quota each fallback choice of a cluster is checked against (its own family and tier) before it is tried. */
    public void choiceQuota(dev.ebbtide.provisioner.cloud.FallbackNodePool.ChoiceQuota quota) {
        pools.choiceQuota(quota);
    }

    /** The service-wide {@code max_gang_provision_time} (a cluster's YAML may set its own). */
    public void defaultGangTime(Duration time) {
        scaleRequests.defaultGangTime(time);
    }

    /**
     * Applies core's gang rule to the open gang units of the owned clusters: all up, or past the deadline (the nodes
     * that came up are given back and the cluster backs off). Runs every tick.
     */
    public synchronized void checkGangs() {
        gangDeadlines.check(this::owns);
    }

    /** The open gang units of a cluster: job, nodes wanted, nodes created, deadline (the REST view). */
    public List<dev.ebbtide.core.gang.Gang> gangs(String cluster) {
        return gangs.of(cluster);
    }

    /** Ownership and durable records (several instances); by default this instance owns every cluster, keeps nothing. */
    public void durable(DurableState durable) {
        durable.gangs(gangs);
        this.durable = durable;
    }

    /** {@code hook} is told the name of each cluster this instance hands over to another. */
    public void onHandOver(Consumer<String> hook) {
        handover.onHandOver(hook);
    }

    /** Whether this instance acts for the cluster (its partition is assigned to this instance). */
    public boolean owns(String cluster) {
        return durable.ownership().owns(cluster);
    }

    /** Compute instances: started, stopped and deleted by their lifecycle; null = none (tests of pools only). */
    public void instances(Instances instances) {
        book.instances(instances);
    }

    /** Learns a cluster and opens its pool, so nodes that exist already (after a restart) are found and adopted. */
    public synchronized void onClusterDefined(ClusterSpec spec) {
        pools.define(spec);
        if (owns(spec.name())) {
            sync.activate(spec);
        }
        handover.countOwned();
    }

    public synchronized boolean knowsCluster(String name) {
        return pools.defined().containsKey(name);
    }

    /**
     * Applies a scale request once (by request id, through the {@link ScaleRequestHandler}: retries, backoff,
     * classification): remove the named nodes that are still idle with no job, then grow to the target.
     */
    public synchronized void onScaleRequested(ScaleRequested r) {
        if (!owns(r.cluster())) {
            LOG.infof(
                    "scale request %s for %s skipped: %s does not own the cluster (partition %d)",
                    r.requestId(),
                    r.cluster(),
                    durable.ownership().instance(),
                    durable.ownership().partitionOf(r.cluster()));
            return;
        }
        scaleRequests.apply(r);
        // before the request's record is acknowledged; even if the partition was revoked meanwhile (the handover waits
        // for this monitor, so no other instance acts for the cluster yet)
        saveAndWait(List.of(r.cluster()), true);
    }

    /** A node agent's status: the node becomes idle / running / lost accordingly. Never waits for a cloud call. */
    public void onAgentStatus(NodeAgentStatus s) {
        List<NodeBook.Change> changes = book.apply(b -> b.agentStatus(s, clock.instant()));
        sync.lost(changes);
        if (!changes.isEmpty()) {
            gangDeadlines.closeAllUp(
                    this::owns,
                    changes.stream().map(NodeBook.Change::cluster).distinct().toList());
        }
        saveAndWait(changes.stream().map(NodeBook.Change::cluster).distinct().toList(), false);
    }

    /** The answer to a simulated eviction: an HTTP status and one sentence. */
    public record Eviction(int status, String message) {}

    /**
     * Evicts a node of a low-priority cluster as the cloud would: the cloud gives it a {@code Preempt} scheduled event
     * (Azure: {@code simulateEviction}; locally the same document in the node's directory), its agent reports the
     * notice (the node turns preempted, its job goes back to the queue) and gives the ranks SIGTERM and the notice's
     * time, then the VM goes; the autoscaler replaces it if it is still needed. Dedicated clusters, attached compute and instances refuse.
     */
    public synchronized Eviction simulateEviction(String cluster, String node) {
        ClusterSpec spec = pools.spec(cluster);
        if (spec == null) {
            return new Eviction(404, "no cluster '" + cluster + "'");
        }
        if (!spec.scaled()) {
            return new Eviction(
                    409,
                    cluster + " is " + spec.type() + " compute: only nodes of a low-priority cluster "
                            + "can be evicted");
        }
        if (!owns(cluster)) {
            return new Eviction(
                    409,
                    "cluster " + cluster + " is owned by another provisioner instance (partition "
                            + durable.ownership().partitionOf(cluster)
                            + "): ask that instance; ./ebbtide status shows which");
        }
        if (!"low_priority".equals(spec.tier())) {
            return new Eviction(
                    409,
                    "cluster " + cluster + " is dedicated: only nodes of a low-priority cluster "
                            + "(tier: low_priority) can be evicted");
        }
        boolean known = book.read(b -> b.tracked(cluster).contains(node));
        NodePool pool = pools.opened(cluster);
        if (!known || pool == null) {
            return new Eviction(404, "cluster " + cluster + " has no node '" + node + "'");
        }
        // no "lost" here: the node gets the cloud's notice (a Preempt scheduled event), its agent reports it and
        // gives the job its grace; the notice turns the node preempted and requeues the job (NodeBook.agentStatus)
        CloudCaller.Result<Void> r =
                caller.run(cluster, "simulate eviction of " + node, () -> pool.simulateEviction(node));
        if (r.failed()) {
            return new Eviction(
                    502,
                    "the cloud did not evict " + node + " (" + r.failure().errorClass() + "): "
                            + r.failure().getMessage());
        }
        LOG.warnf(
                "cluster %s: node %s is being evicted (simulated): its agent gets a Preempt scheduled event",
                cluster, node);
        return new Eviction(
                202,
                "node " + node + " of " + cluster + " is being evicted: it gets a Preempt notice (30 s), its job gets"
                        + " SIGTERM and goes back to the queue");
    }

    /** A node is stopped on purpose next (a compute instance): lost now, so its job goes back to the queue. */
    public void nodeStopping(String node, String reason) {
        List<NodeBook.Change> changes = book.apply(b -> b.stopping(node, reason));
        sync.lost(changes);
        saveAndWait(changes.stream().map(NodeBook.Change::cluster).distinct().toList(), false);
    }

    /** An assignment: its nodes are busy from now on (the busy guard), until their agents report the attempt. */
    public void onJobAssigned(JobAssigned a) {
        if (!owns(a.cluster())) {
            return;
        }
        book.apply(b -> b.assigned(a, clock.instant()));
        saveAndWait(List.of(a.cluster()), false);
    }

    /** Time passes: nodes whose agents fell silent are lost, published, then deleted. */
    public void tick() {
        Instances instances = book.instances();
        if (instances != null) {
            // not under this monitor (a long cloud call must not delay lost nodes): only owned instances are known
            instances.tick();
        }
        sync.lost(book.apply(b -> b.tick(clock.instant())));
        if (sync.anyLost()) {
            deleteLost();
        }
        if (gangs.anyDue(clock.instant())) {
            checkGangs(); // takes the monitor only when a deadline passed (a long cloud call must not delay ticks)
        }
        saveAndWait(
                handover.ownedClusters(),
                false); // what changed without a wait (an instance's lifecycle), or failed before
    }

    private synchronized void deleteLost() {
        sync.deleteLost();
    }

    /**
     * Compares what Ebbtide believes with the cloud (periodically and after a restart): nodes stuck in provisioning
     * past the limit, whose agent never announced itself, or failed are given up, deleted and replaced; lost nodes
     * whose deletion failed are deleted again.
     */
    public synchronized void reconcileAll() {
        sync.reconcileAll();
        saveAndWait(handover.ownedClusters(), false);
    }

    /** Compares every pool's nodes with the view and publishes the differences. */
    public synchronized void pollAll() {
        sync.pollAll();
    }

    /**
     * Its clusters and how many nodes each has (every node the book tracks uses cores until it is deleted), for the
     * quota book. Reads take the provisioner's monitor, then the book's, in the usual order.
     */
    public Quotas.UsageView usageView() {
        return new Quotas.UsageView() {
            @Override
            public Map<String, ClusterSpec> clusters() {
                synchronized (Provisioner.this) {
                    return Map.copyOf(pools.defined());
                }
            }

            @Override
            public int nodes(String cluster) {
                if (!owns(cluster)) {
                    return pools.listedByTheCloud(cluster);
                }
                return book.read(b -> b.tracked(cluster).size());
            }
        };
    }

    /**
     * Partitions were assigned: their clusters are taken over from their durable records (node table, ledger, backoff,
     * instance), then acted for (each defined one's pool is listed: nodes the cloud no longer has are published
     * deleted, nodes it has that the record lacks are adopted). Loading the records is the caller's, before.
     */
    synchronized void takeOver(Set<Integer> partitions, Collection<ProvisionerClusterState> records) {
        handover.takeOver(partitions, records);
    }

    /**
     * Partitions were revoked (they already left the owned set, so nothing new starts for them): runs once the cloud
     * work in progress is done (this monitor), writes their clusters' final records, then forgets them — their pools,
     * nodes (nothing is published), ledger, backoff and instances. Returns once the records are stored.
     */
    synchronized void handOver(Set<Integer> partitions) {
        handover.handOver(partitions);
    }

    /** See {@link DurableState#saveAndWait}: under the book's monitor, with this instance's compute instances. */
    private void saveAndWait(Collection<String> clusters, boolean required) {
        durable.saveAndWait(clusters, required, book.book(), book.instances());
    }

    /**
     * A node as {@code GET /nodes} shows it: its state as last published, and, when known, the queued job it is held
     * for with the gang's deadline, and the size and tier it got (a fallback choice).
     */
    public record NodeView(
            String cluster,
            dev.ebbtide.common.events.NodeState state,
            String jobId,
            String address,
            Integer port,
            String heldFor,
            java.time.Instant heldUntil,
            String size,
            String tier) {}

    /** The REST view of every node: state, gang hold, size and tier. */
    public Map<String, NodeView> nodeViews() {
        Map<String, NodeView> out = new java.util.TreeMap<>();
        nodes().forEach((name, v) -> {
            var hold = gangs.hold(v.cluster(), name).orElse(null);
            var got = pools.choiceOf(v.cluster(), name);
            out.put(
                    name,
                    new NodeView(
                            v.cluster(),
                            v.state(),
                            v.jobId(),
                            v.address(),
                            v.port(),
                            hold == null ? null : hold.jobId(),
                            hold == null ? null : hold.until(),
                            got == null ? null : got.size(),
                            got == null ? null : got.tier()));
        });
        return out;
    }

    /** Node states as last published, for the REST view. */
    public Map<String, NodeBook.View> nodes() {
        return book.read(NodeBook::view);
    }
}
