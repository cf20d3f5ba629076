package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.actuation.Actuation;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Status;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scaling a cluster on the fake ARM server, asserting the exact requests sent. */
class AzureVmssNodePoolTest {

    static final String VMSS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu";
    static final String OPS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION
            + "/providers/Microsoft.Compute/locations/westeurope/operations/00000000-0000-4000-8000-";

    final FakeArmServer fake = new FakeArmServer();
    final Actuation a = new Actuation();
    final ClusterSpec spec = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        // the request log, for docs/azure.md and for reading a failure
        System.out.println("REQUESTS " + test.getDisplayName() + "\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    static ScaleRequested request(String id, int target, String... remove) {
        return new ScaleRequested(id, "gpu", target, List.of(remove), List.of(), Instant.parse("2026-11-26T12:00:00Z"));
    }

    NodePool existingPool() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        NodePool pool = FakeArmClients.provider(fake).nodePool(spec);
        fake.clearRequests();
        return pool;
    }

    @Test
    void scalesZeroToThreeToOneToZeroWithExactlyTheExpectedRequests() {
        NodePool pool = existingPool();

        // 0 -> 3: one PATCH of sku.capacity, guarded by the ETag just read
        ScaleRequestHandler.Outcome up = a.handler.handle(request("r1", 3), pool, n -> true);
        assertEquals(Status.APPLIED, up.status());
        assertEquals(List.of("ebbtide-gpu_0", "ebbtide-gpu_1", "ebbtide-gpu_2"), up.added());
        assertEquals(
                List.of(
                        "GET " + VMSS + "/virtualMachines?$expand=instanceView",
                        "GET " + VMSS,
                        "PATCH " + VMSS + " If-Match:\"1\" {\"sku\":{\"capacity\":3}}",
                        "GET " + OPS + "000000000001",
                        "GET " + OPS + "000000000001",
                        "GET " + VMSS,
                        "GET " + VMSS + "/virtualMachines?$expand=instanceView"),
                fake.allLines());
        fake.settle();
        assertTrue(pool.nodes().stream().allMatch(n -> n.status() == CloudNodeStatus.READY));
        fake.clearRequests();

        // 3 -> 1: delete the two idle instances by id (Azure lowers the capacity itself)
        ScaleRequestHandler.Outcome down =
                a.handler.handle(request("r2", 1, "ebbtide-gpu_1", "ebbtide-gpu_2"), pool, n -> true);
        assertEquals(Status.APPLIED, down.status());
        assertEquals(List.of("ebbtide-gpu_1", "ebbtide-gpu_2"), down.removed());
        assertEquals(
                List.of(
                        "GET " + VMSS + "/virtualMachines",
                        "POST " + VMSS + "/delete {\"instanceIds\":[\"1\",\"2\"]}",
                        "GET " + OPS + "000000000002",
                        "GET " + OPS + "000000000002",
                        "GET " + OPS + "000000000002?monitor=true",
                        "GET " + VMSS + "/virtualMachines?$expand=instanceView"),
                fake.allLines());
        assertEquals(1, pool.targetSize());
        fake.clearRequests();

        // 1 -> 0
        ScaleRequestHandler.Outcome zero = a.handler.handle(request("r3", 0, "ebbtide-gpu_0"), pool, n -> true);
        assertEquals(Status.APPLIED, zero.status());
        assertEquals(
                List.of(
                        "GET " + VMSS + "/virtualMachines",
                        "POST " + VMSS + "/delete {\"instanceIds\":[\"0\"]}",
                        "GET " + VMSS + "/virtualMachines?$expand=instanceView"),
                fake.lines());
        assertEquals(0, fake.scaleSet("ebbtide-gpu").capacity());
        assertEquals(List.of(), pool.nodes());
        assertEquals(0, fake.wrongApiVersions);
        assertTrue(fake.requests().stream()
                .allMatch(r -> "2025-04-01".equals(r.query().get("api-version"))));
        assertEquals(
                0.0,
                a.registry.find("ebbtide.provisioner.cloud.errors").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum());
    }

    @Test
    void neverDeletesANodeThatIsNoLongerIdle() {
        NodePool pool = existingPool();
        a.handler.handle(request("r1", 2), pool, n -> true);
        fake.settle();
        fake.clearRequests();
        ScaleRequestHandler.Outcome down = a.handler.handle(
                request("r2", 0, "ebbtide-gpu_0", "ebbtide-gpu_1"), pool, n -> !n.equals("ebbtide-gpu_1"));
        assertEquals(List.of("ebbtide-gpu_0"), down.removed());
        assertEquals(
                List.of(
                        "GET " + VMSS + "/virtualMachines",
                        "POST " + VMSS + "/delete {\"instanceIds\":[\"0\"]}",
                        "GET " + VMSS + "/virtualMachines?$expand=instanceView"),
                fake.lines());
        assertEquals(
                List.of("ebbtide-gpu_1"),
                pool.nodes().stream().map(CloudNode::name).toList());
    }

    @Test
    void aSimulatedEvictionIsAzuresOwnCallOnTheNamedInstance() {
        NodePool pool = existingPool();
        a.handler.handle(request("r1", 2), pool, n -> true);
        fake.settle();
        fake.clearRequests();
        pool.simulateEviction("ebbtide-gpu_1");
        assertEquals(2, fake.lines().size(), fake.lines().toString());
        assertEquals("GET " + VMSS + "/virtualMachines", fake.lines().get(0));
        assertTrue(
                fake.lines().get(1).startsWith("POST " + VMSS + "/virtualMachines/1/simulateEviction"),
                fake.lines().toString());
        assertEquals(
                List.of("ebbtide-gpu_0"),
                pool.nodes().stream().map(CloudNode::name).toList());
    }

    @Test
    void aRedeliveredScaleRequestHasNoSecondEffect() {
        NodePool pool = existingPool();
        ScaleRequested r = request("same-id", 2);
        assertEquals(Status.APPLIED, a.handler.handle(r, pool, n -> true).status());
        int afterFirst = fake.requests().size();
        assertEquals(1, fake.lines().stream().filter(l -> l.startsWith("PATCH")).count());

        ScaleRequestHandler.Outcome again = a.handler.handle(r, pool, n -> true);
        assertEquals(Status.DUPLICATE, again.status());
        assertEquals(afterFirst, fake.requests().size(), "no request at all for the redelivery");
        assertEquals(2, fake.scaleSet("ebbtide-gpu").capacity());
    }

    @Test
    void aRequestForWhatIsAlreadyThereSendsNoWrite() {
        NodePool pool = existingPool();
        a.handler.handle(request("r1", 2), pool, n -> true);
        fake.clearRequests();
        ScaleRequestHandler.Outcome same = a.handler.handle(request("r2", 2), pool, n -> true);
        assertEquals(Status.APPLIED, same.status());
        assertEquals(List.of("GET " + VMSS + "/virtualMachines?$expand=instanceView"), fake.lines());
    }

    @Test
    void longRunningOperationPollsHonourRetryAfter() {
        NodePool pool = existingPool();
        fake.lroRetryAfterSeconds = 1;
        pool.increaseSize(1);
        List<FakeArmServer.Recorded> polls =
                fake.requests().stream().filter(FakeArmServer.Recorded::isPoll).toList();
        assertEquals(2, polls.size());
        Duration between = Duration.between(polls.get(0).at(), polls.get(1).at());
        assertTrue(
                between.compareTo(Duration.ofMillis(900)) >= 0,
                "second poll waited for Retry-After: 1, waited only " + between);
    }
}
