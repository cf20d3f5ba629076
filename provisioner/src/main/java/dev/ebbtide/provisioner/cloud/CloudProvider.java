package dev.ebbtide.provisioner.cloud;

import dev.ebbtide.common.azureml.ClusterSpec;

/** A cloud that hosts clusters: {@code local} (default) or {@code azure-vmss}, chosen by configuration. */
public interface CloudProvider {

    /** The configuration name of this provider. */
    String name();

    /** The pool for this cluster, created in the cloud if missing (from the cluster's size and tier). */
    NodePool nodePool(ClusterSpec cluster);
}
