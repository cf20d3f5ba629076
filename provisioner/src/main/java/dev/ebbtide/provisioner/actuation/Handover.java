package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Ownership: which clusters this instance acts for, and the takeover and handover of their durable records when
 * partitions are assigned or revoked. {@link #takeOver} and {@link #handOver} run under the provisioner's monitor (the
 * caller's), so a handover waits for the cloud work in progress.
 */
final class Handover {
    private static final Logger LOG = Logger.getLogger(Handover.class);

    private final Pools pools;
    private final PublishedBook book;
    private final CloudSync sync;
    private final Supplier<DurableState> durable;
    private final Clock clock;
    private volatile int ownedClusters;
    /** Told the name of each cluster handed over to another instance (e.g. the quota book forgets its wait). */
    private final List<Consumer<String>> handedOver = new CopyOnWriteArrayList<>();

    Handover(
            Pools pools,
            PublishedBook book,
            CloudSync sync,
            Supplier<DurableState> durable,
            MeterRegistry registry,
            Clock clock) {
        this.pools = pools;
        this.book = book;
        this.sync = sync;
        this.durable = durable;
        this.clock = clock;
        Gauge.builder(ProvisionerMetrics.OWNED_CLUSTERS, this, h -> h.ownedClusters)
                .description(
                        "Defined clusters this provisioner instance acts for (their partitions are assigned to it)")
                .register(registry);
    }

    void onHandOver(Consumer<String> hook) {
        handedOver.add(hook);
    }

    boolean owns(String cluster) {
        return durable.get().ownership().owns(cluster);
    }

    /** See {@link Provisioner#takeOver}. */
    void takeOver(Set<Integer> partitions, Collection<ProvisionerClusterState> records) {
        DurableState state = durable.get();
        Instances instances = book.instances();
        for (ProvisionerClusterState r : records) {
            if (!owns(r.cluster())) {
                continue;
            }
            NodeBook b = book.book();
            synchronized (b) {
                state.restore(r, b, instances);
                sync.lost(b.inState(r.cluster(), NodeState.lost).stream()
                        .map(n -> new NodeBook.Change(
                                r.cluster(),
                                n,
                                NodeState.lost,
                                NodeState.lost,
                                null,
                                "lost before the takeover",
                                null,
                                null))
                        .toList());
            }
            LOG.infof(
                    "cluster %s: taken over from %s's record of %s: %d node(s), %d applied request(s)%s",
                    r.cluster(),
                    r.sender(),
                    r.at(),
                    r.nodes().size(),
                    r.appliedRequests().size(),
                    r.backoff() == null ? "" : ", backoff until " + r.backoff().until());
        }
        for (ClusterSpec spec : List.copyOf(pools.defined().values())) {
            if (owns(spec.name()) && partitions.contains(state.ownership().partitionOf(spec.name()))) {
                sync.activate(spec); // lists its pool: nodes gone from the cloud are published deleted
            }
        }
        // a deletion the previous owner did not finish (the node is still listed): it follows its agent again
        for (ProvisionerClusterState r : records) {
            List<String> leaving =
                    book.read(b -> owns(r.cluster()) ? b.inState(r.cluster(), NodeState.leaving) : List.<String>of());
            leaving.forEach(
                    n -> book.apply(b -> b.kept(n, "its deletion was interrupted by a takeover", clock.instant())));
        }
        countOwned();
    }

    /** See {@link Provisioner#handOver}. */
    void handOver(Set<Integer> partitions) {
        DurableState state = durable.get();
        Instances instances = book.instances();
        Set<String> leaving = new TreeSet<>(pools.defined().keySet());
        leaving.addAll(pools.opened().keySet());
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        NodeBook b = book.book();
        synchronized (b) {
            leaving.addAll(b.clusters());
            leaving.removeIf(c -> !partitions.contains(state.ownership().partitionOf(c)));
            for (String c : leaving) {
                sent.add(state.save(c, b, instances));
                b.forgetCluster(c);
            }
        }
        DurableState.await(sent, "the final records of " + leaving, false);
        for (String c : leaving) {
            pools.close(c);
            state.forget(c);
            handedOver.forEach(h -> h.accept(c));
            if (instances != null) {
                instances.forget(c);
            }
        }
        sync.forgetLost(leaving);
        countOwned();
    }

    /** Counts the defined clusters this instance owns (the gauge), logging when the count changes. */
    void countOwned() {
        int owned = (int) pools.defined().keySet().stream().filter(this::owns).count();
        if (owned != ownedClusters) {
            DurableState state = durable.get();
            LOG.infof(
                    "%s acts for %d cluster(s) now (partitions %s of %d)",
                    state.ownership().instance(),
                    owned,
                    state.ownership().owned(),
                    state.ownership().partitions());
        }
        ownedClusters = owned;
    }

    /** The clusters this instance owns: defined ones and those with tracked nodes. */
    List<String> ownedClusters() {
        Set<String> all = new TreeSet<>(pools.defined().keySet());
        all.addAll(book.read(NodeBook::clusters));
        return all.stream().filter(this::owns).toList();
    }
}
