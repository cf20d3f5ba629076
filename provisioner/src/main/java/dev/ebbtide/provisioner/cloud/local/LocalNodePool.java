package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.util.List;

/** One cluster's nodes on this machine; see {@link LocalNodes} (node agents as OS processes, records on disk). */
public final class LocalNodePool implements NodePool {
    private final String cluster;
    private final LocalNodes machine;

    private final LocalCloudProvider provider;
    private final String size;
    private final String pool;

    public LocalNodePool(String cluster, LocalNodes machine) {
        this(cluster, machine, null, null, null);
    }

    /**
     * A pool of {@code size} nodes, limited by the provider's local capacity for that size; {@code pool} names one
     * fallback choice's nodes among the cluster's (null: every node of the cluster).
     */
    LocalNodePool(String cluster, LocalNodes machine, LocalCloudProvider provider, String size, String pool) {
        this.cluster = cluster;
        this.machine = machine;
        this.provider = provider;
        this.size = size;
        this.pool = pool;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public int targetSize() {
        return machine.list(cluster, pool).size();
    }

    @Override
    public void increaseSize(int delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        if (provider == null || size == null) {
            machine.create(cluster, delta);
        } else {
            provider.create(cluster, pool, size, delta);
        }
    }

    @Override
    public void deleteNodes(List<String> names) {
        machine.delete(cluster, names);
    }

    @Override
    public List<CloudNode> nodes() {
        return machine.list(cluster, pool);
    }

    /** Locally an eviction is the node's agent killed at once (no goodbye) and the node gone, like a deleted spot VM. */
    @Override
    public void simulateEviction(String name) {
        machine.stopNamed(cluster, name);
    }
}
