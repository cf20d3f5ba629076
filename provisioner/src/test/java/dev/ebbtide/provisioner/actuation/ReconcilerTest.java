package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.provisioner.actuation.ProvisionerEvents.OrphanAction;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler's rules, on an in-memory pool (the Azure cases are in AzureReconcileTest). */
class ReconcilerTest {

    final Actuation a = new Actuation();
    final InMemoryNodePool pool = new InMemoryNodePool("gpu", a.clock);

    @Test
    void adoptsUnknownInstancesWhenConfiguredTo() {
        Reconciler adopting = new Reconciler(
                a.clock,
                new Reconciler.Settings(Duration.ofMinutes(15), Duration.ofMinutes(2), OrphanAction.ADOPT),
                a.backoff,
                a.caller,
                a.events);
        pool.put("gpu-x", CloudNodeStatus.READY);
        assertEquals(List.of(), adopting.reconcile(pool, Set.of()).adopted());
        a.clock.advance(Duration.ofMinutes(2));
        Reconciler.Result r = adopting.reconcile(pool, Set.of());
        assertEquals(List.of("gpu-x"), r.adopted());
        assertEquals(List.of(), pool.calls, "adopting deletes nothing");
        assertEquals(List.of("orphanFound gpu gpu-x ADOPT"), a.events.all);
    }

    @Test
    void anAdoptedNodeStuckCreatingIsStillGivenUp() {
        Reconciler adopting = new Reconciler(
                a.clock,
                new Reconciler.Settings(Duration.ofMinutes(15), Duration.ofMinutes(2), OrphanAction.ADOPT),
                a.backoff,
                a.caller,
                a.events);
        pool.put("gpu-x", CloudNodeStatus.CREATING);
        adopting.reconcile(pool, Set.of());
        a.clock.advance(Duration.ofMinutes(16));
        Reconciler.Result r = adopting.reconcile(pool, Set.of());
        assertEquals("gpu-x", r.unusable().get(0).node());
        assertEquals(List.of("deleteNodes [gpu-x]", "increaseSize 1"), pool.calls);
    }

    @Test
    void aConfiguredProvisionTimeIsHonoured() {
        Reconciler quick = new Reconciler(
                a.clock,
                new Reconciler.Settings(Duration.ofMinutes(5), Duration.ofMinutes(10), OrphanAction.DELETE),
                a.backoff,
                a.caller,
                a.events);
        pool.put("gpu-a", CloudNodeStatus.CREATING);
        quick.reconcile(pool, Set.of("gpu-a"));
        a.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        Reconciler.Result r = quick.reconcile(pool, Set.of("gpu-a"));
        assertEquals(
                "node gpu-a was not ready within max-node-provision-time 5m; deleting and replacing it",
                r.unusable().get(0).reason().message());
    }

    @Test
    void readyAndDeletingNodesAreLeftAlone() {
        pool.put("gpu-a", CloudNodeStatus.READY);
        pool.put("gpu-b", CloudNodeStatus.DELETING);
        a.clock.advance(Duration.ofHours(1));
        a.reconciler.reconcile(pool, Set.of("gpu-a", "gpu-b"));
        a.clock.advance(Duration.ofHours(1));
        Reconciler.Result r = a.reconciler.reconcile(pool, Set.of("gpu-a", "gpu-b"));
        assertEquals(List.of(), r.unusable());
        assertEquals(List.of(), pool.calls);
    }
}
