package dev.ebbtide.provisioner.cloud;

import dev.ebbtide.common.events.ErrorClass;
import java.util.List;

/**
 * The nodes of one cluster in one cloud, in the shape of the Cluster Autoscaler's NodeGroup. Implementations are
 * thin adapters: they translate, they do not decide. Calls may block (use worker threads) and throw
 * {@link CloudException} with an {@link ErrorClass}.
 */
public interface NodePool {

    /** The Ebbtide cluster this pool serves. */
    String cluster();

    /** Nodes the cloud is asked to keep (live or still being created). */
    int targetSize();

    /** Ask for {@code delta} (> 0) more nodes; the cloud names them. */
    void increaseSize(int delta);

    /** Delete exactly these nodes; never a count decrease that lets the cloud choose. Unknown names are ignored. */
    void deleteNodes(List<String> names);

    /**
     * Evicts one low-priority node as the cloud would (Azure: the scale-set VM's {@code simulateEviction}); the node
     * goes away without warning. Unknown names are ignored.
     */
    default void simulateEviction(String name) {
        throw new CloudException(ErrorClass.UNKNOWN, "this provider cannot simulate an eviction");
    }

    /** Every node the cloud has for this cluster, with its state and, when failed, its error class. */
    List<CloudNode> nodes();
}
