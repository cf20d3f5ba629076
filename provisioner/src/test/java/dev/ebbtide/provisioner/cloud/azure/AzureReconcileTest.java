package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.AzureVmssNodePoolTest.VMSS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.actuation.Actuation;
import dev.ebbtide.provisioner.actuation.CloudReasons;
import dev.ebbtide.provisioner.actuation.Reconciler;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reconciliation against the fake: orphans, nodes stuck in provisioning, failed and evicted nodes. */
class AzureReconcileTest {

    static final String LIST = "GET " + VMSS + "/virtualMachines?$expand=instanceView";

    final FakeArmServer fake = new FakeArmServer();
    final Actuation a = new Actuation();
    NodePool pool;
    /** What Ebbtide believes: the nodes its scale requests created. */
    final Set<String> believed = new HashSet<>();

    @BeforeEach
    void pool() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", true);
        pool = FakeArmClients.provider(fake)
                .nodePool(new ClusterSpec("gpu", "Standard_NC6s_v3", "low_priority", 0, 4, 120, null));
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        // the request log, for docs/azure.md and for reading a failure
        System.out.println("REQUESTS " + test.getDisplayName() + "\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    void scaleTo(String id, int target) {
        var o = a.handler.handle(
                new ScaleRequested(id, "gpu", target, List.of(), List.of(), Instant.EPOCH), pool, n -> true);
        believed.addAll(o.added());
    }

    @Test
    void anOrphanedInstanceIsFoundAndRemovedAfterTheGracePeriod() {
        scaleTo("r1", 2);
        fake.settle();
        FakeArmServer.Vm orphan = fake.addRunningVm("ebbtide-gpu"); // e.g. left by a crash mid-scale-up
        fake.clearRequests();

        Reconciler.Result first = a.reconciler.reconcile(pool, believed);
        assertEquals(List.of(), first.orphansDeleted(), "not before the grace period: it may be in flight");
        assertEquals(List.of(LIST), fake.lines());

        a.clock.advance(Duration.ofMinutes(9));
        assertEquals(List.of(), a.reconciler.reconcile(pool, believed).orphansDeleted());

        a.clock.advance(Duration.ofMinutes(1));
        fake.clearRequests();
        Reconciler.Result later = a.reconciler.reconcile(pool, believed);

        assertEquals(List.of(orphan.name()), later.orphansDeleted());
        assertEquals("ebbtide-gpu_2", orphan.name());
        assertEquals(
                List.of(LIST, "GET " + VMSS + "/virtualMachines", "POST " + VMSS + "/delete {\"instanceIds\":[\"2\"]}"),
                fake.lines());
        assertEquals(List.of("orphanFound gpu ebbtide-gpu_2 DELETE"), a.events.without("nodesRequested"));
        assertEquals(2, fake.scaleSet("ebbtide-gpu").capacity());
        assertEquals(
                Set.of("ebbtide-gpu_0", "ebbtide-gpu_1"),
                Set.copyOf(pool.nodes().stream().map(CloudNode::name).toList()));
    }

    @Test
    void aNodeStuckInProvisioningPastTheLimitIsReplaced() {
        scaleTo("r1", 2);
        fake.settleAllBut("ebbtide-gpu_1");
        fake.clearRequests();

        Reconciler.Result early = a.reconciler.reconcile(pool, believed);
        assertEquals(List.of(), early.unusable());
        a.clock.advance(Duration.ofMinutes(15));
        assertEquals(List.of(), a.reconciler.reconcile(pool, believed).unusable(), "15 min is still within the limit");

        a.clock.advance(Duration.ofSeconds(1));
        fake.clearRequests();
        Reconciler.Result late = a.reconciler.reconcile(pool, believed);

        assertEquals(1, late.unusable().size());
        assertEquals("ebbtide-gpu_1", late.unusable().get(0).node());
        assertEquals(
                CloudReasons.NODE_NOT_READY_IN_TIME,
                late.unusable().get(0).reason().code());
        assertEquals(
                "node ebbtide-gpu_1 was not ready within max-node-provision-time 15m; deleting and replacing it",
                late.unusable().get(0).reason().message());
        assertEquals(1, late.replacements());
        assertEquals(List.of("ebbtide-gpu_2"), late.replacedNodes());
        assertEquals(
                List.of(
                        LIST,
                        "GET " + VMSS + "/virtualMachines",
                        "POST " + VMSS + "/delete {\"instanceIds\":[\"1\"]}",
                        "GET " + VMSS,
                        "PATCH " + VMSS + " If-Match:\"3\" {\"sku\":{\"capacity\":2}}",
                        "GET " + VMSS,
                        LIST),
                fake.lines());
        assertEquals(
                List.of(
                        "nodeUnusable gpu ebbtide-gpu_1 node_not_ready_in_time",
                        "nodesRequested gpu [ebbtide-gpu_2] reconcile"),
                a.events.all.subList(1, 3));
    }

    @Test
    void failedNodesAreDeletedButNotReplacedWhileTheClusterBacksOff() {
        fake.inject(Fault.async(
                Target.PATCH_SCALE_SET,
                "Failed",
                FakeArmServer.resource("errors/deployment-async-failed-allocation.json"),
                "AllocationFailed"));
        scaleTo("r1", 2);
        assertTrue(a.backoff.active("gpu").isPresent());
        believed.addAll(List.of("ebbtide-gpu_0", "ebbtide-gpu_1"));
        fake.clearRequests();

        Reconciler.Result r = a.reconciler.reconcile(pool, believed);

        assertEquals(2, r.unusable().size());
        assertTrue(
                r.unusable().get(0).reason().message().contains("capacity_unavailable"),
                r.unusable().get(0).reason().message());
        assertEquals(0, r.replacements(), "replacing would hit the same allocation failure");
        assertEquals(
                List.of(
                        LIST,
                        "GET " + VMSS + "/virtualMachines",
                        "POST " + VMSS + "/delete {\"instanceIds\":[\"0\",\"1\"]}"),
                fake.lines());
    }

    @Test
    void anEvictedSpotNodeIsReportedPreemptedAndADeletedOneGone() {
        scaleTo("r1", 2);
        fake.settle();
        fake.evict("ebbtide-gpu", "ebbtide-gpu_0");
        believed.add("ebbtide-gpu_9");

        Reconciler.Result r = a.reconciler.reconcile(pool, believed);

        assertEquals(List.of("ebbtide-gpu_0"), r.preempted());
        assertEquals(List.of("ebbtide-gpu_9"), r.gone());
        assertTrue(a.events.all.contains("nodePreempted gpu ebbtide-gpu_0"));
        assertTrue(a.events.all.contains("nodeGone gpu ebbtide-gpu_9"));
        assertEquals(
                CloudNodeStatus.PREEMPTED,
                pool.nodes().stream()
                        .filter(n -> n.name().equals("ebbtide-gpu_0"))
                        .findFirst()
                        .orElseThrow()
                        .status());
    }

    @Test
    void ourOwnDeletionOfASpotNodeIsNotAPreemption() {
        scaleTo("r1", 2);
        fake.settle();
        // the delete is accepted, then its operation fails: the VM stays "Deleting"
        fake.inject(Fault.async(
                Target.DELETE_INSTANCES,
                "Failed",
                "{\"status\":\"Failed\",\"error\":{\"code\":\"InternalExecutionError\","
                        + "\"message\":\"An internal execution error occurred.\"}}",
                null));
        CloudException e = assertThrows(CloudException.class, () -> pool.deleteNodes(List.of("ebbtide-gpu_0")));
        assertEquals(ErrorClass.TRANSIENT, e.errorClass());
        CloudNode n = pool.nodes().stream()
                .filter(x -> x.name().equals("ebbtide-gpu_0"))
                .findFirst()
                .orElseThrow();
        assertEquals(CloudNodeStatus.DELETING, n.status());
    }
}
