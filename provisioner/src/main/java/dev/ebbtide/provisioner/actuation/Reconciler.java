package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents.OrphanAction;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Compares what Ebbtide believes about a cluster's nodes with what the cloud has, periodically and after a restart:
 * <ol>
 * <li>an instance Ebbtide does not know, still there after {@code orphanGracePeriod}, is adopted or deleted;</li>
 * <li>a node not ready within {@code maxNodeProvisionTime} (default 15 min, the Cluster Autoscaler's
 *     max-node-provision-time), or ready but its agent silent that long, is marked unusable, deleted and
 *     replaced;</li>
 * <li>a failed node is marked unusable, deleted and replaced (not while the cluster backs off);</li>
 * <li>preempted nodes and believed nodes that no longer exist are reported.</li>
 * </ol>
 * Time comes from the injected clock; "first seen" times are kept per cluster in memory.
 */
public final class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    public static final Duration DEFAULT_MAX_NODE_PROVISION_TIME = Duration.ofMinutes(15);
    public static final Duration DEFAULT_ORPHAN_GRACE_PERIOD = Duration.ofMinutes(10);

    public record Settings(Duration maxNodeProvisionTime, Duration orphanGracePeriod, OrphanAction orphanAction) {
        public static Settings defaults() {
            return new Settings(DEFAULT_MAX_NODE_PROVISION_TIME, DEFAULT_ORPHAN_GRACE_PERIOD, OrphanAction.DELETE);
        }
    }

    public record Unusable(String node, Reason reason) {}

    /**
     * What one pass found and did.
     *
     * @param adopted       unknown instances now to be tracked (publish as their current state)
     * @param orphansDeleted unknown instances deleted
     * @param unusable      nodes given up, with the reason (deleted)
     * @param replacements  nodes requested to replace unusable ones
     * @param replacedNodes the names the cloud gave the replacements (publish as preparing)
     * @param preempted     nodes the cloud took back
     * @param gone          believed nodes the cloud no longer has
     * @param failure       a cloud call that failed after retries, or null
     */
    public record Result(
            String cluster,
            List<String> adopted,
            List<String> orphansDeleted,
            List<Unusable> unusable,
            int replacements,
            List<String> replacedNodes,
            List<String> preempted,
            List<String> gone,
            ErrorClass failure) {}

    private final Clock clock;
    private final Settings settings;
    private final ClusterBackoff backoff;
    private final CloudCaller caller;
    private final ProvisionerEvents events;
    /** cluster → node → when this reconciler first saw it (in its current unknown / creating condition). */
    private final Map<String, Map<String, Instant>> firstSeen = new ConcurrentHashMap<>();

    public Reconciler(
            Clock clock, Settings settings, ClusterBackoff backoff, CloudCaller caller, ProvisionerEvents events) {
        this.clock = clock;
        this.settings = settings;
        this.backoff = backoff;
        this.caller = caller;
        this.events = events;
    }

    /** Without agent information (every ready node counts as announced). */
    public Result reconcile(NodePool pool, Set<String> believed) {
        return reconcile(pool, believed, null);
    }

    /**
     * @param believed  the node names Ebbtide tracks for this cluster (any state but deleted)
     * @param announced the nodes whose agent has spoken; a believed ready node not in it is given up after
     *                  max-node-provision-time like one still creating (null: no agent information)
     */
    public Result reconcile(NodePool pool, Set<String> believed, Set<String> announced) {
        String cluster = pool.cluster();
        Instant now = clock.instant();
        CloudCaller.Result<List<CloudNode>> listed = caller.call(cluster, "list nodes", pool::nodes);
        if (listed.failed()) {
            return new Result(
                    cluster,
                    List.of(),
                    List.of(),
                    List.of(),
                    0,
                    List.of(),
                    List.of(),
                    List.of(),
                    listed.failure().errorClass());
        }
        List<CloudNode> nodes = listed.value();
        Map<String, Instant> seen = firstSeen.computeIfAbsent(cluster, k -> new ConcurrentHashMap<>());
        Set<String> present = new HashSet<>();
        nodes.forEach(n -> present.add(n.name()));
        seen.keySet().retainAll(present);

        List<String> adopted = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        List<Unusable> unusable = new ArrayList<>();
        List<String> preempted = new ArrayList<>();
        int replace = 0;

        for (CloudNode n : nodes) {
            Instant first = seen.computeIfAbsent(n.name(), k -> now);
            if (n.status() == CloudNodeStatus.DELETING) {
                continue;
            }
            if (!believed.contains(n.name())) {
                if (Duration.between(first, now).compareTo(settings.orphanGracePeriod()) < 0) {
                    continue; // maybe just created by a scale request still in flight
                }
                if (settings.orphanAction() == OrphanAction.ADOPT) {
                    LOG.infof("cluster %s: adopting unknown instance %s (%s)", cluster, n.name(), n.status());
                    adopted.add(n.name());
                    events.orphanFound(cluster, n.name(), OrphanAction.ADOPT);
                } else {
                    LOG.infof(
                            "cluster %s: deleting unknown instance %s, unknown for %s",
                            cluster, n.name(), Duration.between(first, now));
                    orphans.add(n.name());
                    events.orphanFound(cluster, n.name(), OrphanAction.DELETE);
                    continue;
                }
            }
            switch (n.status()) {
                case CREATING -> {
                    Instant since = n.createdAt() != null && n.createdAt().isBefore(first) ? n.createdAt() : first;
                    if (Duration.between(since, now).compareTo(settings.maxNodeProvisionTime()) > 0) {
                        Reason reason = CloudReasons.notReadyInTime(n.name(), settings.maxNodeProvisionTime());
                        unusable.add(new Unusable(n.name(), reason));
                        replace++;
                    }
                }
                case FAILED -> {
                    unusable.add(new Unusable(n.name(), CloudReasons.failed(n.name(), n.error(), n.message())));
                    replace++;
                }
                case READY -> {
                    if (announced != null && !announced.contains(n.name())) {
                        Instant since = n.createdAt() != null && n.createdAt().isBefore(first) ? n.createdAt() : first;
                        if (Duration.between(since, now).compareTo(settings.maxNodeProvisionTime()) > 0) {
                            unusable.add(new Unusable(
                                    n.name(),
                                    CloudReasons.agentNotAnnounced(n.name(), settings.maxNodeProvisionTime())));
                            replace++;
                        }
                    }
                }
                case PREEMPTED -> preempted.add(n.name());
                default -> {}
            }
        }
        List<String> gone =
                believed.stream().filter(b -> !present.contains(b)).sorted().toList();

        for (Unusable u : unusable) {
            LOG.warnf(
                    "cluster %s: node %s is unusable: %s",
                    cluster, u.node(), u.reason().message());
            events.nodeUnusable(cluster, u.node(), u.reason());
        }
        preempted.forEach(p -> events.nodePreempted(cluster, p));
        gone.forEach(g -> events.nodeGone(cluster, g));

        List<String> toDelete = new ArrayList<>(orphans);
        unusable.forEach(u -> toDelete.add(u.node()));
        ErrorClass failure = null;
        if (!toDelete.isEmpty()) {
            CloudCaller.Result<Void> r = caller.run(cluster, "delete " + toDelete, () -> pool.deleteNodes(toDelete));
            if (r.failed()) {
                failure = r.failure().errorClass();
                replace = 0;
            }
        }
        List<String> replacedNodes = List.of();
        if (replace > 0) {
            var active = backoff.active(cluster);
            if (active.isPresent()) {
                LOG.infof(
                        "cluster %s: not replacing %d node(s) while backing off until %s",
                        cluster, replace, active.get().until());
                replace = 0;
            } else {
                int n = replace;
                Set<String> before = new HashSet<>(present);
                CloudCaller.Result<List<String>> r = caller.call(cluster, "replace " + n + " node(s)", () -> {
                    pool.increaseSize(n);
                    return pool.nodes().stream()
                            .map(CloudNode::name)
                            .filter(x -> !before.contains(x))
                            .toList();
                });
                if (r.failed()) {
                    failure = r.failure().errorClass();
                    Reason reason = CloudReasons.forError(failure, r.failure().getMessage());
                    ClusterBackoff.State s = backoff.recordFailure(cluster, failure, reason, r.backoffAtLeast());
                    events.backoffStarted(cluster, failure, s.until(), reason);
                    replace = 0;
                } else {
                    replacedNodes = r.value();
                    if (!replacedNodes.isEmpty()) {
                        events.nodesRequested(cluster, replacedNodes, "reconcile");
                    }
                }
            }
        }
        return new Result(cluster, adopted, orphans, unusable, replace, replacedNodes, preempted, gone, failure);
    }
}
