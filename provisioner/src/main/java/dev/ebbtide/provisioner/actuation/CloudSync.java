package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.provisioner.cloud.CallContext;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The cloud side of the owned clusters: opening them, listing their pools into the book, reconciling them with the
 * cloud, deleting their lost nodes. Every method but the lost-node queue's runs under the provisioner's monitor (the
 * caller's), which serializes cloud work: a listing is never applied across a concurrent change.
 */
final class CloudSync {
    private static final Logger LOG = Logger.getLogger(CloudSync.class);

    private final Pools pools;
    private final PublishedBook book;
    private final Reconciler reconciler;
    private final CloudCaller caller;
    private final Predicate<String> owns;
    private final Duration minPollInterval;
    private final MeterRegistry registry;
    private final Clock clock;
    private Instant lastPoll = Instant.EPOCH;
    /** Nodes found lost since the last tick, deleted by the next one (not on the statuses' thread). */
    private final Queue<NodeBook.Change> lost = new ConcurrentLinkedQueue<>();

    CloudSync(
            Pools pools,
            PublishedBook book,
            Reconciler reconciler,
            CloudCaller caller,
            Predicate<String> owns,
            Duration minPollInterval,
            MeterRegistry registry,
            Clock clock) {
        this.pools = pools;
        this.book = book;
        this.reconciler = reconciler;
        this.caller = caller;
        this.owns = owns;
        this.minPollInterval = minPollInterval;
        this.registry = registry;
        this.clock = clock;
    }

    /** Queues the lost nodes among these changes for deletion by the next tick (any thread). */
    void lost(Collection<NodeBook.Change> changes) {
        changes.stream().filter(c -> c.state() == NodeState.lost).forEach(lost::add);
    }

    boolean anyLost() {
        return !lost.isEmpty();
    }

    /** The lost nodes of clusters handed over are the new owner's to delete. */
    void forgetLost(Set<String> clusters) {
        lost.removeIf(c -> clusters.contains(c.cluster()));
    }

    /** Starts acting for an owned cluster: attach its pool, drive its instance or open its node pool and list it. */
    void activate(ClusterSpec spec) {
        Instances instances = book.instances();
        if (spec.isInstance() && instances != null) {
            book.apply(b -> b.attach(spec.name(), clock.instant())); // its one node joins when its agent speaks
            instances.defined(spec);
            return;
        }
        if (!spec.scaled()) {
            // attached pool: no cloud, nothing to create or delete; its machines join by their agents' statuses
            book.apply(b -> b.attach(spec.name(), clock.instant()));
            return;
        }
        try {
            NodePool pool = pools.open(spec.name());
            pollQuietly(spec.name(), pool, clock.instant());
        } catch (CloudException e) {
            LOG.errorf(
                    "cluster %s: cannot open its node pool yet (%s): %s", spec.name(), e.errorClass(), e.getMessage());
        }
    }

    /** Deletes the nodes found lost since the last call (those of owned clusters). */
    void deleteLost() {
        for (NodeBook.Change c = lost.poll(); c != null; c = lost.poll()) {
            if (!owns.test(c.cluster())) {
                continue; // the cluster's new owner deletes it
            }
            LOG.warnf("cluster %s: node %s is lost (%s); deleting it", c.cluster(), c.node(), c.reason());
            registry.counter("ebbtide_provisioner_nodes_lost_total", "cluster", c.cluster())
                    .increment();
            deleteNode(c.cluster(), c.node(), "lost: " + c.reason());
        }
    }

    private void deleteNode(String cluster, String node, String reason) {
        if (pools.unscaled(cluster)) {
            book.apply(
                    b -> b.left(node, "left the attached pool (" + reason + "); it joins again when its agent speaks"));
            return; // never deleted: Ebbtide does not own the machine
        }
        NodePool pool = pools.opened(cluster);
        if (pool == null) {
            return;
        }
        CloudCaller.Result<Void> r = CallContext.with(
                reason.startsWith("lost") ? "lost" : "reconcile",
                () -> caller.run(cluster, "delete " + node, () -> pool.deleteNodes(List.of(node))));
        if (r.failed()) {
            LOG.warnf(
                    "cluster %s: cannot delete %s yet (%s); the reconciler tries again",
                    cluster, node, r.failure().errorClass());
            return;
        }
        book.apply(b -> b.removed(node, reason));
    }

    /** See {@link Provisioner#reconcileAll}. */
    void reconcileAll() {
        Instant now = clock.instant();
        for (Map.Entry<String, NodePool> e : pools.opened().entrySet()) {
            String cluster = e.getKey();
            if (!owns.test(cluster)) {
                continue;
            }
            record Seen(List<String> stillLost, Set<String> tracked, Set<String> announced) {}
            Seen seen = book.read(
                    b -> new Seen(b.inState(cluster, NodeState.lost), b.tracked(cluster), b.announced(cluster)));
            seen.stillLost().forEach(node -> deleteNode(cluster, node, "lost"));
            Reconciler.Result result = CallContext.with(
                    "reconcile", () -> reconciler.reconcile(e.getValue(), seen.tracked(), seen.announced()));
            for (Reconciler.Unusable u : result.unusable()) {
                book.apply(b -> b.givenUp(u.node(), u.reason().message()));
            }
            for (String node : result.adopted()) {
                book.apply(b -> b.adopted(cluster, node, "adopted: found in the cloud, unknown to Ebbtide", now));
            }
            for (String node : result.replacedNodes()) {
                book.apply(b -> b.requested(cluster, node, "replacement for an unusable node"));
            }
            pollQuietly(cluster, e.getValue(), now);
        }
    }

    /** Compares every owned pool's nodes with the view and publishes the differences (at most every min interval). */
    void pollAll() {
        Instant now = clock.instant();
        if (Duration.between(lastPoll, now).compareTo(minPollInterval) < 0) {
            return;
        }
        lastPoll = now;
        pools.opened().forEach((cluster, pool) -> {
            if (owns.test(cluster)) {
                pollQuietly(cluster, pool, now);
            }
        });
    }

    /** One listing of a pool applied to the view; a failed listing is logged and changes nothing. */
    void pollQuietly(String cluster, NodePool pool, Instant now) {
        try {
            List<CloudNode> listing = pool.nodes();
            List<NodeBook.Change> changes = book.apply(b -> b.listed(cluster, listing, clock.instant()));
            changes.stream()
                    .filter(c -> c.reason() != null && c.reason().startsWith("adopted"))
                    .forEach(c -> LOG.infof(
                            "cluster %s: node %s known again (%s), its agent heart-beating",
                            cluster, c.node(), c.state()));
        } catch (CloudException ex) {
            LOG.warnf("cluster %s: cannot list nodes (%s): %s", cluster, ex.errorClass(), ex.getMessage());
        }
    }
}
