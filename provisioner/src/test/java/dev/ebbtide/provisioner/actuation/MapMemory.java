package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** The compacted topic in a map: the latest record per cluster, every send kept; {@code down} fails the sends. */
final class MapMemory implements ClusterMemory {
    final Map<String, ProvisionerClusterState> latest = new ConcurrentHashMap<>();
    final List<ProvisionerClusterState> sent = new CopyOnWriteArrayList<>();
    final int partitions;
    volatile boolean down;

    MapMemory(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletableFuture<Void> send(ProvisionerClusterState state) {
        if (down) {
            return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("the broker is away"));
        }
        sent.add(state);
        latest.put(state.cluster(), state);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<String, ProvisionerClusterState> load(Set<Integer> parts) {
        return latest.entrySet().stream()
                .filter(e -> parts.contains(ClusterPartition.of(e.getKey(), partitions)))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
