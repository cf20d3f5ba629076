package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ProvisionerClusterState;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where the provisioner keeps each cluster's durable record ({@link ProvisionerClusterState}): the compacted topic
 * {@code ebbtide.provisioner.state} in the service, a map in tests.
 */
public interface ClusterMemory {

    /** Sends one cluster's record; the future completes once the store has it (the broker acknowledged it). */
    CompletableFuture<Void> send(ProvisionerClusterState state);

    /** The latest record of every cluster whose partition is one of these. Blocking. */
    Map<String, ProvisionerClusterState> load(Set<Integer> partitions);

    /** Keeps nothing: one instance that owns every cluster and forgets at a restart (tests of other things). */
    ClusterMemory NONE = new ClusterMemory() {
        @Override
        public CompletableFuture<Void> send(ProvisionerClusterState state) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Map<String, ProvisionerClusterState> load(Set<Integer> partitions) {
            return Map.of();
        }
    };
}
