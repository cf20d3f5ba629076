package dev.ebbtide.provisioner.instances;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.local.LocalNodes;
import java.util.List;

/**
 * What a provider does to a compute instance's one node (named as the instance). Blocking calls: never on the event
 * loop. Locally: start = start its agent (same name, same directory), stop = stop the agent and its ranks, delete =
 * also remove its record. On Azure ({@code AzureInstanceNodes}): a one-VM scale set per instance, stop = deallocate.
 */
public interface InstanceNodes {
    void start(ClusterSpec instance, String node);

    void stop(ClusterSpec instance, String node);

    void delete(ClusterSpec instance, String node);

    /** Restart in one step where the provider can (Azure: {@code POST …/restart}); else stop, then start. */
    default void restart(ClusterSpec instance, String node) {
        stop(instance, node);
        start(instance, node);
    }

    /** This machine: each instance's node is a node-agent process. */
    static InstanceNodes local(LocalNodes machine) {
        return new InstanceNodes() {
            @Override
            public void start(ClusterSpec instance, String node) {
                machine.startNamed(instance.name(), node);
            }

            @Override
            public void stop(ClusterSpec instance, String node) {
                machine.stopNamed(instance.name(), node);
            }

            @Override
            public void delete(ClusterSpec instance, String node) {
                machine.stopNamed(instance.name(), node);
                machine.delete(instance.name(), List.of(node));
            }
        };
    }

    /** A provider without compute instances: every action fails with a sentence (the instance goes Failed). */
    static InstanceNodes unsupported(String provider) {
        return new InstanceNodes() {
            private CloudException no() {
                return new CloudException(
                        ErrorClass.UNKNOWN,
                        "compute instances are not implemented for the " + provider
                                + " provider yet (planned: a one-VM scale set per instance)");
            }

            @Override
            public void start(ClusterSpec instance, String node) {
                throw no();
            }

            @Override
            public void stop(ClusterSpec instance, String node) {
                throw no();
            }

            @Override
            public void delete(ClusterSpec instance, String node) {
                throw no();
            }
        };
    }
}
