package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AzureVmssNodePoolTest {

    static final String VMSS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu";

    final FakeArmServer fake = new FakeArmServer();
    final ClusterSpec spec = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void smoke() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        NodePool pool = FakeArmClients.provider(fake).nodePool(spec);
        pool.increaseSize(3);
        fake.settle();
        List<CloudNode> nodes = pool.nodes();
        System.out.println(fake.allLines());
        assertEquals(3, nodes.size());
        assertEquals(CloudNodeStatus.READY, nodes.get(0).status());
        pool.deleteNodes(List.of("ebbtide-gpu_1", "ebbtide-gpu_2"));
        System.out.println(String.join("\n", fake.allLines()));
        assertEquals(1, pool.targetSize());
    }
}
