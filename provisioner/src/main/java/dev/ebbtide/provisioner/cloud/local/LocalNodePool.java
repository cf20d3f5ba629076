package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.util.List;

/** One cluster's nodes on this machine; see {@link LocalNodes} (node agents as OS processes, records on disk). */
public final class LocalNodePool implements NodePool {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LocalNodePool.class);
    private final String cluster;
    private final LocalNodes machine;
    private final LocalEvictions evictions;
    private final LocalCloudProvider provider;
    private final String size;
    private final String pool;

    public LocalNodePool(String cluster, LocalNodes machine) {
        this(cluster, machine, new LocalEvictions(java.time.Clock.systemUTC()));
    }

    public LocalNodePool(String cluster, LocalNodes machine, LocalEvictions evictions) {
        this(cluster, machine, evictions, null, null, null);
    }

    /**
     * A pool of {@code size} nodes, limited by the provider's local capacity for that size; {@code pool} names one
     * fallback choice's nodes among the cluster's (null: every node of the cluster).
     */
    LocalNodePool(String cluster, LocalNodes machine, LocalCloudProvider provider, String size, String pool) {
        this(cluster, machine, new LocalEvictions(java.time.Clock.systemUTC()), provider, size, pool);
    }

    private LocalNodePool(
            String cluster,
            LocalNodes machine,
            LocalEvictions evictions,
            LocalCloudProvider provider,
            String size,
            String pool) {
        this.cluster = cluster;
        this.machine = machine;
        this.evictions = evictions;
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

    /** The cluster's nodes; one whose eviction notice was acknowledged or ran out is taken away first. */
    @Override
    public List<CloudNode> nodes() {
        for (CloudNode n : machine.list(cluster, pool)) {
            if (evictions.due(machine.nodesDir().resolve(n.name()), n.name())) {
                machine.stopNamed(cluster, n.name());
                LOG.infof("cluster %s: node %s evicted (its notice was acknowledged or ran out)", cluster, n.name());
            }
        }
        return machine.list(cluster, pool);
    }

    /**
     * Locally an eviction is what Azure does to a Spot VM: a {@code Preempt} scheduled event with 30 s notice, which
     * the node's agent reads as on Azure; the node goes when the agent acknowledges it or the notice runs out.
     */
    @Override
    public void simulateEviction(String name) {
        try {
            evictions.give(machine.nodesDir().resolve(name), name);
        } catch (java.io.IOException e) {
            throw new dev.ebbtide.provisioner.cloud.CloudException(
                    dev.ebbtide.common.events.ErrorClass.UNKNOWN,
                    "cannot write the eviction notice of " + name + ": " + e.getMessage(),
                    null,
                    e);
        }
    }
}
