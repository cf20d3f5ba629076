package dev.ebbtide.provisioner.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ErrorClass;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The provider contract every {@link NodePool} must keep (the same tests for {@code local} and {@code azure-vmss}).
 * A subclass gives a fresh, empty pool and a way to let creating nodes become ready.
 */
public abstract class NodePoolContractTest {

    /** A new pool for an empty cluster. */
    protected abstract NodePool newPool();

    /** Let every node the cloud is still creating become ready. */
    protected abstract void settle();

    private static Set<String> names(List<CloudNode> nodes) {
        return nodes.stream().map(CloudNode::name).collect(Collectors.toSet());
    }

    private static long count(List<CloudNode> nodes, CloudNodeStatus status) {
        return nodes.stream().filter(n -> n.status() == status).count();
    }

    @Test
    void newPoolIsEmpty() {
        NodePool pool = newPool();
        assertEquals(0, pool.targetSize());
        assertEquals(List.of(), pool.nodes());
    }

    @Test
    void increaseSizeAddsNodesThatBecomeReadyAfterSettling() {
        NodePool pool = newPool();
        pool.increaseSize(2);
        assertEquals(2, pool.targetSize());
        List<CloudNode> before = pool.nodes();
        assertEquals(2, before.size());
        assertTrue(
                before.stream()
                        .allMatch(n -> n.status() == CloudNodeStatus.CREATING || n.status() == CloudNodeStatus.READY),
                before.toString());
        settle();
        List<CloudNode> after = pool.nodes();
        assertEquals(2, count(after, CloudNodeStatus.READY), after.toString());
        assertEquals(names(before), names(after), "node names are stable while a node boots");
        assertTrue(after.stream().allMatch(n -> n.error() == ErrorClass.NONE));
    }

    @Test
    void increaseSizeAddsToWhatIsThere() {
        NodePool pool = newPool();
        pool.increaseSize(1);
        pool.increaseSize(2);
        assertEquals(3, pool.targetSize());
        assertEquals(3, new HashSet<>(names(pool.nodes())).size(), "names are unique");
    }

    @Test
    void deleteNodesRemovesExactlyTheNamedNodes() {
        NodePool pool = newPool();
        pool.increaseSize(3);
        settle();
        List<String> all = pool.nodes().stream().map(CloudNode::name).sorted().toList();
        pool.deleteNodes(List.of(all.get(1)));
        settle();
        Set<String> left = names(pool.nodes());
        assertEquals(Set.of(all.get(0), all.get(2)), left);
        assertEquals(2, pool.targetSize());
    }

    @Test
    void deleteNodesIgnoresUnknownNames() {
        NodePool pool = newPool();
        pool.increaseSize(1);
        settle();
        Set<String> before = names(pool.nodes());
        pool.deleteNodes(List.of("no-such-node"));
        pool.deleteNodes(List.of());
        assertEquals(before, names(pool.nodes()));
        assertEquals(1, pool.targetSize());
    }

    @Test
    void increaseSizeRejectsANonPositiveDelta() {
        NodePool pool = newPool();
        assertThrows(IllegalArgumentException.class, () -> pool.increaseSize(0));
        assertThrows(IllegalArgumentException.class, () -> pool.increaseSize(-1));
        assertEquals(0, pool.targetSize());
    }

    @Test
    void scalingDownToZeroLeavesNoNodes() {
        NodePool pool = newPool();
        pool.increaseSize(2);
        settle();
        pool.deleteNodes(pool.nodes().stream().map(CloudNode::name).toList());
        settle();
        assertEquals(0, pool.targetSize());
        assertEquals(List.of(), pool.nodes());
    }
}
