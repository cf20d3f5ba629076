package dev.ebbtide.messaging.ownership;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which clusters this service instance acts for: those whose partition (of the cluster-keyed topics) its consumer
 * group assigned to it. Kafka decides; this class only remembers the answer and tells the service when it changes.
 * <p>
 * On revocation the listeners run before Kafka hands the partitions to another instance (the rebalance waits for
 * them), so a listener that returns only once the service has stopped acting for those clusters guarantees that two
 * live instances never act for one cluster. On assignment the listeners rebuild what they keep for the new clusters.
 * Thread-safe.
 */
public final class Ownership {

    /** Told of every change; called on the consumer's polling thread, in the order of the changes. */
    public interface Listener {
        /** Rebuild state for the clusters of these partitions; the instance acts for them once this returns. */
        default void assigned(Set<Integer> partitions) {}

        /** Stop acting for the clusters of these partitions; return only once nothing is in flight for them. */
        default void revoked(Set<Integer> partitions) {}
    }

    private final String instance;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitions;

    /**
     * @param instance   this instance's name (recorded as the sender of what it publishes)
     * @param partitions the partition count of the cluster-keyed topics until the consumer learns the real one
     */
    public Ownership(String instance, int partitions) {
        this.instance = instance;
        this.partitions = partitions;
    }

    /** An ownership that owns every cluster (a single instance without a consumer group, and tests). */
    public static Ownership everything(String instance) {
        Ownership o = new Ownership(instance, 1);
        o.assigned(Set.of(0), 1);
        return o;
    }

    public String instance() {
        return instance;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public boolean owns(String cluster) {
        return owned.contains(ClusterPartition.of(cluster, partitions));
    }

    /** The owned partition numbers, sorted. */
    public Set<Integer> owned() {
        return owned;
    }

    public int partitions() {
        return partitions;
    }

    /** The partition number of a cluster under the current partition count. */
    public int partitionOf(String cluster) {
        return ClusterPartition.of(cluster, partitions);
    }

    /** Adds these partitions (of a topic with {@code partitionCount} partitions), then tells the listeners. */
    public void assigned(Set<Integer> added, int partitionCount) {
        synchronized (this) {
            TreeSet<Integer> next = new TreeSet<>(owned);
            next.addAll(added);
            partitions = partitionCount;
            owned = Set.copyOf(next);
        }
        if (!added.isEmpty()) {
            listeners.forEach(l -> l.assigned(Set.copyOf(added)));
        }
    }

    /** Removes these partitions first (nothing new starts for them), then waits for the listeners to stop. */
    public void revoked(Set<Integer> removed) {
        synchronized (this) {
            TreeSet<Integer> next = new TreeSet<>(owned);
            next.removeAll(removed);
            owned = Set.copyOf(next);
        }
        if (!removed.isEmpty()) {
            listeners.forEach(l -> l.revoked(Set.copyOf(removed)));
        }
    }
}
