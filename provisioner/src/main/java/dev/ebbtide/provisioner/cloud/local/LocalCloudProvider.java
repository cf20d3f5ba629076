package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Clock;
import java.time.Duration;

/** The default provider: nodes are local workers that become ready after a boot delay. */
public final class LocalCloudProvider implements CloudProvider {
    public static final String NAME = "local";
    private final Duration bootDelay;
    private final Clock clock;

    public LocalCloudProvider(Duration bootDelay, Clock clock) {
        this.bootDelay = bootDelay;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public NodePool nodePool(ClusterSpec cluster) {
        return new LocalNodePool(cluster.name(), bootDelay, clock);
    }
}
