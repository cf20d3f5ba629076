package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.util.List;
import java.util.Set;

/**
 * A cluster's pool as a scale request sees it: nodes Ebbtide knows are preempted (their agent reported the cloud's
 * eviction notice) are listed as {@code PREEMPTED} while the cloud still lists them as running, so they do not count
 * towards the cluster's size and a replacement is added at once rather than after the VM is gone.
 */
final class PreemptedNodesView implements NodePool {
    private final NodePool pool;
    private final Set<String> preempted;

    private PreemptedNodesView(NodePool pool, Set<String> preempted) {
        this.pool = pool;
        this.preempted = preempted;
    }

    static NodePool of(NodePool pool, List<String> preempted) {
        return preempted.isEmpty() ? pool : new PreemptedNodesView(pool, Set.copyOf(preempted));
    }

    @Override
    public String cluster() {
        return pool.cluster();
    }

    @Override
    public int targetSize() {
        return pool.targetSize();
    }

    @Override
    public void increaseSize(int delta) {
        pool.increaseSize(delta);
    }

    @Override
    public void deleteNodes(List<String> names) {
        pool.deleteNodes(names);
    }

    @Override
    public void simulateEviction(String name) {
        pool.simulateEviction(name);
    }

    @Override
    public List<CloudNode> nodes() {
        return pool.nodes().stream()
                .map(n -> preempted.contains(n.name()) && n.status() == CloudNodeStatus.READY
                        ? new CloudNode(n.name(), CloudNodeStatus.PREEMPTED, n.createdAt(), n.error(), n.message())
                        : n)
                .toList();
    }
}
