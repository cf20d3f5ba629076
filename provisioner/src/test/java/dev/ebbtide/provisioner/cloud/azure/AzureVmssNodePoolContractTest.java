package dev.ebbtide.provisioner.cloud.azure;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.NodePoolContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The provider contract against {@code azure-vmss} on the fake ARM server. */
class AzureVmssNodePoolContractTest extends NodePoolContractTest {

    FakeArmServer fake;

    @BeforeEach
    void start() {
        fake = new FakeArmServer();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Override
    protected NodePool newPool() {
        return FakeArmClients.provider(fake)
                .nodePool(new ClusterSpec("contract", "Standard_D4s_v5", "dedicated", 0, 8, 120, null));
    }

    @Override
    protected void settle() {
        fake.settle();
    }
}
