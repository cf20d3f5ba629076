package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.ComputeInstance;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.instance.InstanceEvent;
import dev.ebbtide.core.instance.InstanceState;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.azure.AzureTranslation.InstancePower;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import dev.ebbtide.provisioner.instances.Instances;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The compute-instance driver on azure-vmss: one single-VM scale set per instance, exact requests asserted. */
class AzureInstanceNodesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String VMSS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-ci-1";

    final FakeArmServer fake = new FakeArmServer();
    final AzureSettings settings =
            FakeArmClients.settings(fake).withNodeSetup("ebbtide", null, "#cloud-config\n", null);
    final AzureVmssProvider provider = new AzureVmssProvider(FakeArmClients.computeManager(fake, settings), settings);
    final AzureInstanceNodes nodes = new AzureInstanceNodes(provider);
    final Instances instances = new Instances(nodes, new MutableClock(Instant.parse("2026-12-02T06:00:00Z")));
    final ClusterSpec spec = new ClusterSpec(
            "ci-1",
            "Standard_DS3_v2",
            "dedicated",
            0,
            1,
            0,
            null,
            ClusterSpec.COMPUTE_INSTANCE,
            null,
            new ComputeInstance(null, List.of()));

    @AfterEach
    void close(org.junit.jupiter.api.TestInfo test) {
        System.out.println("REQUESTS " + test.getDisplayName() + "\n  " + String.join("\n  ", fake.lines()));
        fake.close();
    }

    InstanceState state() {
        return instances.view("ci-1").orElseThrow().state();
    }

    @Test
    void createRunStopDeallocatesStartRunsRestartDeleteRemovesTheScaleSet() throws Exception {
        instances.defined(spec);
        assertEquals(InstanceState.Creating, state());
        List<String> lines = fake.lines();
        assertEquals(List.of("GET " + VMSS), lines.subList(0, 1));
        assertTrue(lines.get(1).startsWith("PUT " + VMSS + " If-None-Match:* {"), lines.get(1));
        JsonNode put = JSON.readTree(fake.requests().stream()
                .filter(r -> r.method().equals("PUT"))
                .findFirst()
                .orElseThrow()
                .body());
        assertEquals(1, put.path("sku").path("capacity").asInt(), "one VM, never more");
        assertEquals("Standard_DS3_v2", put.path("sku").path("name").asText());
        assertEquals(
                "ci-1", put.path("tags").path(AzureVmssProvider.CLUSTER_TAG).asText());
        assertEquals(
                "ebbtide-ci-1",
                put.at("/properties/virtualMachineProfile/osProfile/computerNamePrefix")
                        .asText());
        assertEquals(
                "#cloud-config\n",
                new String(java.util.Base64.getDecoder()
                        .decode(put.at("/properties/virtualMachineProfile/osProfile/customData")
                                .asText())),
                "the same cloud-init as the clusters' scale sets");
        assertEquals(1, fake.scaleSet("ebbtide-ci-1").vms().size());
        assertEquals(InstancePower.CREATING, nodes.power(spec));
        fake.settle();
        assertEquals(InstancePower.RUNNING, nodes.power(spec));
        instances.nodeState("ci-1", NodeState.idle, "its agent announced itself");
        assertEquals(InstanceState.Running, state());

        fake.clearRequests();
        assertNull(instances
                .request("ci-1", new InstanceEvent.Stop(InstanceEvent.Source.OPERATOR))
                .orElseThrow()
                .refusal());
        assertEquals(List.of("POST " + VMSS + "/deallocate"), fake.lines());
        assertEquals(InstanceState.Stopped, state());
        assertEquals(InstancePower.DEALLOCATED, nodes.power(spec));

        fake.clearRequests();
        instances.request("ci-1", new InstanceEvent.Start(InstanceEvent.Source.OPERATOR));
        assertEquals(List.of("GET " + VMSS, "POST " + VMSS + "/start"), fake.lines());
        assertEquals(InstanceState.Starting, state());
        assertEquals(InstancePower.RUNNING, nodes.power(spec));
        instances.nodeState("ci-1", NodeState.idle, null);
        assertEquals(InstanceState.Running, state());

        fake.clearRequests();
        instances.request("ci-1", new InstanceEvent.Restart());
        assertEquals(List.of("POST " + VMSS + "/restart"), fake.lines(), "one restart call, not deallocate + start");
        assertEquals(InstanceState.Restarting, state());
        instances.nodeState("ci-1", NodeState.idle, null);
        assertEquals(InstanceState.Running, state());

        fake.clearRequests();
        instances.request("ci-1", new InstanceEvent.Delete());
        assertEquals(List.of("DELETE " + VMSS), fake.lines());
        assertNull(fake.scaleSet("ebbtide-ci-1"));
        assertTrue(instances.view("ci-1").isEmpty(), "a deleted instance is gone");
        assertEquals(0, fake.wrongApiVersions);
    }

    @Test
    void aFailedDeallocateLeavesTheInstanceFailedWithAzuresReason() {
        instances.defined(spec);
        fake.settle();
        instances.nodeState("ci-1", NodeState.idle, null);
        fake.inject(Fault.sync(Target.DEALLOCATE, 409, """
                {"error":{"code":"OperationNotAllowed","message":"Operation 'deallocate' is not allowed since the \
                Virtual Machine Scale Set is in use by another operation."}}""", java.util.Map.of()));
        instances.request("ci-1", new InstanceEvent.Stop(InstanceEvent.Source.OPERATOR));
        assertEquals(InstanceState.Failed, state());
        String reason = instances.view("ci-1").orElseThrow().reason();
        assertNotNull(reason);
        assertTrue(
                reason.contains("deallocate the VM of scale set ebbtide-ci-1 failed: HTTP 409 OperationNotAllowed"),
                reason);
    }

    @Test
    void deletingAnInstanceWhoseScaleSetIsAlreadyGoneIsDone() {
        new AzureInstanceNodes(provider).delete(spec, "ci-1"); // 404 from Azure: nothing to delete
        assertEquals(List.of("DELETE " + VMSS), fake.lines());
    }

    @Test
    void restartingAnInstanceWhoseCreationFailedCreatesItsScaleSet() {
        fake.inject(Fault.sync(
                Target.PUT_SCALE_SET,
                409,
                FakeArmServer.resource("errors/sku-not-available-409.json"),
                java.util.Map.of()));
        instances.defined(spec);
        assertEquals(InstanceState.Failed, state());
        assertNull(fake.scaleSet("ebbtide-ci-1"));
        fake.clearRequests();
        instances.request("ci-1", new InstanceEvent.Restart());
        List<String> lines = fake.lines();
        assertEquals(List.of("POST " + VMSS + "/restart", "GET " + VMSS), lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("PUT " + VMSS + " If-None-Match:* {"), lines.get(2));
        assertEquals(InstanceState.Restarting, state());
        assertEquals(1, fake.scaleSet("ebbtide-ci-1").vms().size());
    }

    @Test
    void translatesTheInstanceVmsPowerStates() {
        assertEquals(
                InstancePower.RUNNING,
                AzureTranslation.instancePower(
                        "Succeeded", List.of("ProvisioningState/succeeded", "PowerState/running")));
        assertEquals(
                InstancePower.DEALLOCATED,
                AzureTranslation.instancePower(
                        "Succeeded", List.of("ProvisioningState/succeeded", "PowerState/deallocated")));
        assertEquals(
                InstancePower.STOPPING,
                AzureTranslation.instancePower(
                        "Updating", List.of("ProvisioningState/updating", "PowerState/deallocating")));
        assertEquals(
                InstancePower.STARTING,
                AzureTranslation.instancePower(
                        "Updating", List.of("ProvisioningState/updating", "PowerState/starting")));
        assertEquals(
                InstancePower.CREATING,
                AzureTranslation.instancePower(
                        "Creating", List.of("ProvisioningState/creating", "PowerState/starting")));
        assertEquals(
                InstancePower.FAILED,
                AzureTranslation.instancePower("Failed", List.of("ProvisioningState/failed/AllocationFailed")));
    }
}
