package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.AzureVmssNodePoolTest.VMSS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scale set creation: one per cluster, created if missing, Spot + Delete for low_priority. */
class AzureVmssProviderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUBNET = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Network/virtualNetworks/ebbtide-vnet/subnets/nodes";
    static final String OPS = AzureVmssNodePoolTest.OPS;

    final FakeArmServer fake = new FakeArmServer();
    final String script = "#!/bin/bash\nexec /opt/ebbtide/node-agent --token=s3cr3t-join-token\n";
    final AzureSettings settings = FakeArmClients.settings(fake)
            .withNodeSetup("ebbtide", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake ebbtide", script, null);
    final AzureVmssProvider provider = new AzureVmssProvider(FakeArmClients.computeManager(fake, settings), settings);

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        // the request log, for docs/azure.md and for reading a failure
        System.out.println("REQUESTS " + test.getDisplayName() + "\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    @Test
    void createsAMissingSpotScaleSetForALowPriorityCluster() throws Exception {
        NodePool pool = provider.nodePool(new ClusterSpec("gpu", "Standard_NC6s_v3", "low_priority", 0, 4, 120, null));

        assertEquals("gpu", pool.cluster());
        List<String> lines = fake.allLines();
        assertEquals(5, lines.size(), lines.toString());
        assertEquals("GET " + VMSS, lines.get(0));
        assertTrue(lines.get(1).startsWith("PUT " + VMSS + " If-None-Match:* {"), lines.get(1));
        assertEquals(
                List.of("GET " + OPS + "000000000001", "GET " + OPS + "000000000001", "GET " + VMSS),
                lines.subList(2, 5));

        JsonNode put = JSON.readTree(fake.requests().get(1).body());
        String customData = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        JsonNode expected = JSON.readTree("""
                {
                  "sku": {"name": "Standard_NC6s_v3", "tier": "Standard", "capacity": 0},
                  "properties": {
                    "upgradePolicy": {"mode": "Manual"},
                    "virtualMachineProfile": {
                      "osProfile": {
                        "computerNamePrefix": "ebbtide-gpu",
                        "adminUsername": "ebbtide",
                        "customData": "%s",
                        "linuxConfiguration": {
                          "disablePasswordAuthentication": true,
                          "ssh": {"publicKeys": [{"path": "/home/ebbtide/.ssh/authorized_keys",
                                                  "keyData": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake ebbtide"}]}
                        }
                      },
                      "storageProfile": {
                        "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                                           "version": "latest"},
                        "osDisk": {"caching": "ReadWrite", "createOption": "FromImage",
                                   "managedDisk": {"storageAccountType": "Standard_LRS"}}
                      },
                      "networkProfile": {
                        "networkInterfaceConfigurations": [{
                          "name": "ebbtide-gpu-nic",
                          "properties": {
                            "primary": true,
                            "ipConfigurations": [{"name": "ebbtide-gpu-ip",
                                                  "properties": {"subnet": {"id": "%s"}, "primary": true}}]
                          }
                        }]
                      },
                      "priority": "Spot",
                      "evictionPolicy": "Delete",
                      "billingProfile": {"maxPrice": -1.0}
                    },
                    "overprovision": false,
                    "singlePlacementGroup": false,
                    "orchestrationMode": "Uniform"
                  },
                  "location": "westeurope",
                  "tags": {"ebbtide-cluster": "gpu"}
                }
                """.formatted(customData, SUBNET));
        assertEquals(expected, put, put.toPrettyString());
        assertEquals("Spot", fake.scaleSet("ebbtide-gpu").priority);
        assertEquals(0, pool.targetSize());
    }

    @Test
    void aSpotTierClusterWithAMaxPriceSendsItInTheBillingProfile() throws Exception {
        ClusterSpec spec = dev.ebbtide.common.azureml.AzureMlYaml.parseCluster(
                "name: gpu\nsize: Standard_NC6s_v3\ntier: spot\nmax_instances: 4\nspot_max_price: 0.42\n");
        provider.nodePool(spec);

        JsonNode profile =
                JSON.readTree(fake.requests().get(1).body()).path("properties").path("virtualMachineProfile");
        assertEquals("Spot", profile.path("priority").asText(), "tier: spot is low_priority: Azure Spot VMs");
        assertEquals("Delete", profile.path("evictionPolicy").asText());
        assertEquals(0.42, profile.path("billingProfile").path("maxPrice").asDouble(), profile.toPrettyString());
        assertEquals("Spot", fake.scaleSet("ebbtide-gpu").priority);
    }

    @Test
    void anAlternativesAgentsAreToldTheClusterSinceTheirScaleSetNameIsNotIt() throws Exception {
        String rendered = "#cloud-config\nwrite_files:\n  - path: /etc/ebbtide/agent.properties\n    content: |\n"
                + "      cluster=imds\n      node=imds\n";
        AzureSettings withAgent = FakeArmClients.settings(fake).withNodeSetup("ebbtide", null, rendered, null);
        AzureVmssProvider p = new AzureVmssProvider(FakeArmClients.computeManager(fake, withAgent), withAgent);
        p.nodePool(dev.ebbtide.common.azureml.AzureMlYaml.parseCluster(
                "name: gpu\nsize: Standard_NC6s_v3\nmax_instances: 2\n"
                        + "ebbtide_fallback: [{size: Standard_NC12s_v3}]\n"));

        String own = customData(fake.scaleSet("ebbtide-gpu").createBody());
        String alternative = customData(fake.scaleSet("ebbtide-gpu-1").createBody());
        assertTrue(own.contains("      cluster=imds\n"), "the own scale set's name gives the cluster: " + own);
        assertTrue(alternative.contains("      cluster=gpu\n"), alternative);
        assertFalse(alternative.contains("cluster=imds"), alternative);
    }

    private static String customData(JsonNode createBody) {
        return new String(
                Base64.getDecoder()
                        .decode(createBody
                                .path("properties")
                                .path("virtualMachineProfile")
                                .path("osProfile")
                                .path("customData")
                                .asText()),
                StandardCharsets.UTF_8);
    }

    @Test
    void aDedicatedClusterGetsRegularPriority() throws Exception {
        provider.nodePool(new ClusterSpec("cpu", "Standard_D4s_v5", "dedicated", 0, 4, 120, "northeurope"));

        JsonNode put = JSON.readTree(fake.requests().get(1).body());
        JsonNode profile = put.path("properties").path("virtualMachineProfile");
        assertFalse(profile.has("priority"));
        assertFalse(profile.has("evictionPolicy"));
        assertFalse(profile.has("billingProfile"));
        assertEquals("northeurope", put.path("location").asText(), "the cluster's own location wins");
        assertEquals("Standard_D4s_v5", put.path("sku").path("name").asText());
    }

    @Test
    void anExistingScaleSetIsUsedAsItIsAndOpenedOnce() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        ClusterSpec spec = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);
        NodePool first = provider.nodePool(spec);
        NodePool second = provider.nodePool(spec);
        assertSame(first, second);
        assertEquals(List.of("GET " + VMSS), fake.allLines());
    }

    @Test
    void aForgottenPoolIsReadAgainAndRecreatedWhenItsScaleSetVanished() {
        ClusterSpec spec = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);
        provider.nodePool(spec);
        provider.forget("gpu");
        fake.clearRequests();
        fake.inject(Fault.sync(
                Target.GET_SCALE_SET,
                404,
                "{\"error\":{\"code\":\"ResourceNotFound\"," + "\"message\":\"The Resource was not found.\"}}",
                Map.of()));
        provider.nodePool(spec);
        assertEquals("GET " + VMSS, fake.allLines().get(0));
        assertTrue(fake.allLines().get(1).startsWith("PUT " + VMSS + " If-None-Match:*"));
    }

    @Test
    void creationRefusedForSkuIsClassifiedAsCapacity() {
        fake.inject(Fault.sync(
                Target.PUT_SCALE_SET, 409, FakeArmServer.resource("errors/sku-not-available-409.json"), Map.of()));
        CloudException e = assertThrows(
                CloudException.class,
                () -> provider.nodePool(new ClusterSpec("gpu", "Standard_NC6s_v3", "low_priority", 0, 4, 120, null)));
        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, e.errorClass());
        assertTrue(e.getMessage().contains("SkuNotAvailable"), e.getMessage());
    }

    @Test
    void aScaleSetCreatedConcurrentlyIsUsed() {
        // another provisioner created it between our GET (404) and our PUT (If-None-Match: *)
        fake.beforeNext(Target.PUT_SCALE_SET, () -> fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false));
        NodePool pool = provider.nodePool(new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null));
        assertEquals(0, pool.targetSize());
        assertTrue(fake.allLines().get(1).startsWith("PUT " + VMSS + " If-None-Match:*"));
    }

    @Test
    void secretsNeverAppearInSettingsText() {
        assertFalse(settings.toString().contains("s3cr3t"), settings.toString());
        assertTrue(settings.toString().contains("not shown"));
    }

    @Test
    void anImageCanBeAResourceId() {
        assertEquals(
                "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/galleries/g/images/i/versions/1",
                AzureVmssProvider.imageReference(
                                "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/galleries/g/images/i/versions/1")
                        .id());
        assertThrows(IllegalArgumentException.class, () -> AzureVmssProvider.imageReference("ubuntu"));
    }
}
