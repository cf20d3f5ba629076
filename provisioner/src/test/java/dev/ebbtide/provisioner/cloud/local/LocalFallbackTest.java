package dev.ebbtide.provisioner.cloud.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local capacity per size and fallback between sizes with real detached processes (a shell that sleeps stands in
 * for each agent): nodes beyond a size's capacity fail with the capacity class, and a cluster with alternatives gets
 * them from the next choice in the same scale-up.
 */
class LocalFallbackTest {
    @TempDir
    Path work;

    NodePool pool;

    LocalCloudProvider provider(Map<String, Integer> capacity) {
        return new LocalCloudProvider(
                new LocalNodes(
                        work.resolve("nodes"),
                        LocalNodePoolContractTest.sleepingAgent(),
                        Duration.ofSeconds(2),
                        Clock.systemUTC()),
                capacity);
    }

    @AfterEach
    void deleteEveryNode() {
        if (pool != null) {
            pool.deleteNodes(pool.nodes().stream().map(CloudNode::name).toList());
        }
    }

    @Test
    void nodesBeyondASizesCapacityFailWithTheCapacityClass() {
        pool = provider(Map.of("standard_ds4_v2", 3))
                .nodePool(new ClusterSpec("cap", "Standard_DS4_v2", "dedicated", 0, 4, 60, null));
        CloudException e = assertThrows(CloudException.class, () -> pool.increaseSize(4));
        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, e.errorClass());
        assertEquals(
                "allocation failed: 1 of 4 node(s) of Standard_DS4_v2 did not fit the local capacity of 3 "
                        + "(ebbtide.local.capacity.Standard_DS4_v2)",
                e.getMessage());
        assertEquals(3, pool.nodes().size(), "the nodes that fit were created");
    }

    @Test
    void aClusterWithAlternativesGetsTheRestFromTheNextChoiceAtOnce() {
        ClusterSpec spec = AzureMlYaml.parseCluster("""
                name: fb
                size: Standard_DS4_v2
                max_instances: 4
                ebbtide_fallback: [{size: Standard_DS5_v2, tier: spot}]
                """);
        pool = provider(Map.of("Standard_DS4_v2", 1)).nodePool(spec);
        pool.increaseSize(3);

        List<CloudNode> nodes = pool.nodes();
        assertEquals(3, nodes.size());
        FallbackNodePool f = (FallbackNodePool) pool;
        long own = nodes.stream()
                .filter(n -> f.choiceOf(n.name()).orElseThrow().size().equals("Standard_DS4_v2"))
                .count();
        long alternative = nodes.stream()
                .filter(n -> f.choiceOf(n.name())
                        .orElseThrow()
                        .equals(new FallbackNodePool.Choice("Standard_DS5_v2", "low_priority")))
                .count();
        assertEquals(1, own, "the capacity of the own size is 1");
        assertEquals(2, alternative, "the other 2 from the alternative, in the same scale-up");
        assertEquals(3, pool.targetSize());
    }

    @Test
    void everyChoiceFullFailsWithTheCapacityClassNamingEach() {
        ClusterSpec spec = AzureMlYaml.parseCluster("""
                name: fb
                size: Standard_DS4_v2
                max_instances: 4
                ebbtide_fallback: [{size: Standard_DS5_v2}]
                """);
        pool = provider(Map.of("Standard_DS4_v2", 0, "Standard_DS5_v2", 0)).nodePool(spec);
        CloudException e = assertThrows(CloudException.class, () -> pool.increaseSize(2));
        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, e.errorClass());
        assertTrue(
                e.getMessage().startsWith("every choice failed (2): Standard_DS4_v2 (dedicated): allocation failed"),
                e.getMessage());
        assertEquals(0, pool.nodes().size());
    }
}
