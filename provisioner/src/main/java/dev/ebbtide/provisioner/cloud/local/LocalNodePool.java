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

    public LocalNodePool(String cluster, LocalNodes machine) {
        this(cluster, machine, new LocalEvictions(java.time.Clock.systemUTC()));
    }

    public LocalNodePool(String cluster, LocalNodes machine, LocalEvictions evictions) {
        this.cluster = cluster;
        this.machine = machine;
        this.evictions = evictions;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public int targetSize() {
        return machine.list(cluster).size();
    }

    @Override
    public void increaseSize(int delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        machine.create(cluster, delta);
    }

    @Override
    public void deleteNodes(List<String> names) {
        machine.delete(cluster, names);
    }

    /** The cluster's nodes; one whose eviction notice was acknowledged or ran out is taken away first. */
    @Override
    public List<CloudNode> nodes() {
        for (CloudNode n : machine.list(cluster)) {
            if (evictions.due(machine.nodesDir().resolve(n.name()), n.name())) {
                machine.stopNamed(cluster, n.name());
                LOG.infof("cluster %s: node %s evicted (its notice was acknowledged or ran out)", cluster, n.name());
            }
        }
        return machine.list(cluster);
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
