package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.local.LocalCloudProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters the provisioner knows (every definition) and the node pools it opened (those it owns). The definitions
 * may be read from any thread; the pools only under the provisioner's monitor.
 */
final class Pools {
    private final CloudProvider provider;
    private final Map<String, ClusterSpec> clusters = new ConcurrentHashMap<>();
    private final Map<String, NodePool> pools = new LinkedHashMap<>();
    private volatile FallbackNodePool.ChoiceQuota choiceQuota = FallbackNodePool.ChoiceQuota.NONE;

    /** Told a fallback choice's refusal (cluster, class, message): counted like any cloud error. */
    interface Refusals {
        void refused(String cluster, dev.ebbtide.common.events.ErrorClass errorClass, String message);
    }

    private volatile Refusals refusals = (c, e, m) -> {};

    Pools(CloudProvider provider) {
        this.provider = provider;
    }

    void define(ClusterSpec spec) {
        clusters.put(spec.name(), spec);
    }

    /** Every cluster defined, by name (a live view). */
    Map<String, ClusterSpec> defined() {
        return clusters;
    }

    ClusterSpec spec(String cluster) {
        return clusters.get(cluster);
    }

    /** Attached compute or a compute instance: defined, never scaled by Ebbtide (no pool). */
    boolean unscaled(String cluster) {
        return clusters.containsKey(cluster) && !clusters.get(cluster).scaled();
    }

    /** The cluster's pool, opened on first use; null for attached compute or an unknown cluster. */
    NodePool open(String cluster) {
        if (unscaled(cluster)) {
            return null; // attached: no pool
        }
        NodePool pool = pools.get(cluster);
        if (pool == null && clusters.containsKey(cluster)) {
            pool = provider.nodePool(clusters.get(cluster));
            if (pool instanceof FallbackNodePool f) {
                f.quota(choiceQuota);
                f.onRefusal((errorClass, message) -> refusals.refused(cluster, errorClass, message));
            }
            pools.put(cluster, pool);
        }
        return pool;
    }

    void refusals(Refusals refusals) {
        this.refusals = refusals;
    }

    /** The quota each fallback choice is checked against before it is asked for. */
    void choiceQuota(FallbackNodePool.ChoiceQuota quota) {
        this.choiceQuota = quota;
    }

    /** The size and tier a node got, when its cluster falls back between choices; null otherwise. */
    FallbackNodePool.Choice choiceOf(String cluster, String node) {
        NodePool pool = pools.get(cluster);
        return pool instanceof FallbackNodePool f ? f.choiceOf(node).orElse(null) : null;
    }

    /** The cluster's pool if it was opened, else null. */
    NodePool opened(String cluster) {
        return pools.get(cluster);
    }

    /** The opened pools, by cluster, in the order they were opened (a live view). */
    Map<String, NodePool> opened() {
        return pools;
    }

    void close(String cluster) {
        pools.remove(cluster);
    }

    /**
     * The nodes of a cluster another instance owns, for the local quota (it counts Ebbtide's own nodes): the local
     * cloud's listing, shared by the instances of the machine. Other providers report usage themselves: 0.
     */
    int listedByTheCloud(String cluster) {
        ClusterSpec spec = clusters.get(cluster);
        if (spec == null || !spec.scaled() || !LocalCloudProvider.NAME.equals(provider.name())) {
            return 0;
        }
        try {
            return provider.nodePool(spec).nodes().size();
        } catch (CloudException e) {
            return 0;
        }
    }
}
