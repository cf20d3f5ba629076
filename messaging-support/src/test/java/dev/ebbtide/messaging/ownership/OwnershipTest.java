package dev.ebbtide.messaging.ownership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OwnershipTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 6, 12})
    void clusterPartitionIsWhereTheProducerPutsTheKey(int partitions) {
        for (int i = 0; i < 200; i++) {
            String cluster = "cluster-" + i;
            assertEquals(
                    BuiltInPartitioner.partitionForKey(cluster.getBytes(StandardCharsets.UTF_8), partitions),
                    ClusterPartition.of(cluster, partitions),
                    cluster);
        }
    }

    @Test
    void ownsOnlyTheClustersOfAssignedPartitions() {
        Ownership o = new Ownership("a", 6);
        assertFalse(o.owns("c1"));
        int p = ClusterPartition.of("c1", 6);
        o.assigned(Set.of(p), 6);
        assertTrue(o.owns("c1"));
        o.revoked(Set.of(p));
        assertFalse(o.owns("c1"));
    }

    @Test
    void listenersRunAfterAnAssignmentAndAfterTheRevokedPartitionsAreNoLongerOwned() {
        Ownership o = new Ownership("a", 2);
        int p = ClusterPartition.of("c1", 2);
        List<String> seen = new ArrayList<>();
        o.addListener(new Ownership.Listener() {
            @Override
            public void assigned(Set<Integer> partitions) {
                seen.add("assigned " + partitions + " owns=" + o.owns("c1"));
            }

            @Override
            public void revoked(Set<Integer> partitions) {
                seen.add("revoked " + partitions + " owns=" + o.owns("c1"));
            }
        });
        o.assigned(Set.of(p), 2);
        o.revoked(Set.of(p));
        o.revoked(Set.of()); // nothing changed: no call
        assertEquals(List.of("assigned [" + p + "] owns=true", "revoked [" + p + "] owns=false"), seen);
    }

    @Test
    void everythingOwnsEveryCluster() {
        Ownership o = Ownership.everything("solo");
        assertTrue(o.owns("x"));
        assertTrue(o.owns("another"));
    }
}
