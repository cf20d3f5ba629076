package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.FakeArmServer.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.actuation.Actuation;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Outcome;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Status;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback on the fake ARM server: one scale set per choice; Azure's SkuNotAvailable or AllocationFailed on the
 * cluster's own size makes the same scale-up ask the next choice at once, with no backoff; only when every choice
 * failed does the cluster back off.
 */
class AzureFallbackTest {
    static final String SETS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/";

    final FakeArmServer fake = new FakeArmServer();
    final Actuation a = new Actuation();
    FallbackNodePool pool;

    @BeforeEach
    void pool() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", true);
        fake.givenScaleSet("ebbtide-gpu-1", "Standard_NC12s_v3", true);
        fake.givenScaleSet("ebbtide-gpu-2", "Standard_NC6s_v3", false);
        ClusterSpec spec = AzureMlYaml.parseCluster("""
                name: gpu
                size: Standard_NC6s_v3
                tier: spot
                max_instances: 8
                ebbtide_fallback:
                  - {size: Standard_NC12s_v3, tier: spot}
                  - {size: Standard_NC6s_v3, tier: dedicated}
                """);
        pool = (FallbackNodePool) FakeArmClients.provider(fake).nodePool(spec);
        fake.clearRequests();
    }

    @AfterEach
    void stop() {
        System.out.println("REQUESTS fallback\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    Outcome scaleTo(String id, int target) {
        return a.handler.handle(
                new ScaleRequested(id, "gpu", target, List.of(), List.of(), a.clock.instant()), pool, n -> true);
    }

    @Test
    void skuNotAvailableOnTheOwnSizeAsksTheNextChoiceAtOnce() {
        fake.inject(Fault.sync(Target.PATCH_SCALE_SET, 409, resource("errors/sku-not-available-409.json"), Map.of()));

        Outcome o = scaleTo("r1", 3);
        fake.settle();

        assertEquals(Status.APPLIED, o.status(), String.valueOf(o.reason()));
        assertTrue(a.backoff.active("gpu").isEmpty(), "no backoff: the next choice gave the nodes");
        List<String> patches =
                fake.lines().stream().filter(l -> l.startsWith("PATCH ")).toList();
        assertEquals(
                List.of(
                        "PATCH " + SETS + "ebbtide-gpu If-Match:\"1\" {\"sku\":{\"capacity\":3}}",
                        "PATCH " + SETS + "ebbtide-gpu-1 If-Match:\"1\" {\"sku\":{\"capacity\":3}}"),
                patches);
        List<CloudNode> nodes = pool.nodes();
        assertEquals(3, nodes.size(), nodes.toString());
        for (CloudNode n : nodes) {
            assertTrue(n.name().startsWith("ebbtide-gpu-1_"), n.name());
            assertEquals(
                    new FallbackNodePool.Choice("Standard_NC12s_v3", "low_priority"),
                    pool.choiceOf(n.name()).orElseThrow(),
                    "each node says which size and tier it got");
        }
        assertEquals(0, fake.scaleSet("ebbtide-gpu").capacity(), "the refused scale set is left as it was");
    }

    @Test
    void threeOfFourThenAllocationFailedGetsTheFourthFromTheNextChoice() {
        fake.inject(Fault.asyncPartly(
                Target.PATCH_SCALE_SET,
                "Failed",
                resource("errors/deployment-async-failed-allocation.json"),
                "AllocationFailed",
                3));

        Outcome o = scaleTo("r1", 4);
        fake.settle();

        assertEquals(Status.APPLIED, o.status(), String.valueOf(o.reason()));
        assertTrue(
                fake.lines().contains("PATCH " + SETS + "ebbtide-gpu-1 If-Match:\"1\" {\"sku\":{\"capacity\":1}}"),
                "only the missing node goes to the next choice: " + fake.lines());
        assertEquals(
                3,
                fake.scaleSet("ebbtide-gpu").vms().stream()
                        .filter(vm -> "Succeeded".equals(vm.provisioningState()))
                        .count());
    }

    @Test
    void everyChoiceFailingBacksTheClusterOff() {
        for (int i = 0; i < 3; i++) {
            fake.inject(
                    Fault.sync(Target.PATCH_SCALE_SET, 409, resource("errors/sku-not-available-409.json"), Map.of()));
        }

        Outcome o = scaleTo("r1", 2);

        assertEquals(Status.FAILED, o.status());
        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, o.error());
        assertTrue(
                o.reason().message().contains("every choice failed (3)"),
                o.reason().message());
        assertEquals(
                a.clock.instant().plusSeconds(30),
                a.backoff.active("gpu").orElseThrow().until());
        assertEquals(
                3, fake.lines().stream().filter(l -> l.startsWith("PATCH ")).count(), "each choice once");
    }

    @Test
    void anAlternativeScaleSetIsCreatedWithItsOwnSizeTierAndTheClusterForItsAgents() throws Exception {
        FakeArmServer empty = new FakeArmServer();
        try {
            ClusterSpec spec = AzureMlYaml.parseCluster("name: gpu\nsize: Standard_NC6s_v3\nmax_instances: 2\n"
                    + "ebbtide_fallback: [{size: Standard_NC12s_v3, tier: spot}]\n");
            FakeArmClients.provider(empty).nodePool(spec);
            assertEquals(
                    "Standard_NC6s_v3",
                    empty.scaleSet("ebbtide-gpu")
                            .createBody()
                            .path("sku")
                            .path("name")
                            .asText());
            var alt = empty.scaleSet("ebbtide-gpu-1").createBody();
            assertEquals("Standard_NC12s_v3", alt.path("sku").path("name").asText());
            assertEquals(
                    "Spot",
                    alt.path("properties")
                            .path("virtualMachineProfile")
                            .path("priority")
                            .asText());
            assertEquals("Spot", empty.scaleSet("ebbtide-gpu-1").priority);
        } finally {
            empty.close();
        }
    }
}
