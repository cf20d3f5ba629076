package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.messaging.ownership.Ownership;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Connects the consumer group's decisions to the {@link Provisioner}: on assignment the durable records of the new
 * partitions' clusters are read (a few tries) and the provisioner takes them over; on revocation it hands them over
 * once its cloud work in progress has finished. Called on the consumer's polling thread (the rebalance waits).
 */
public final class ProvisionerOwnership implements Ownership.Listener {
    private static final Logger LOG = Logger.getLogger(ProvisionerOwnership.class);
    static final int READ_ATTEMPTS = 3;

    private final Provisioner provisioner;
    private final ClusterMemory memory;

    public ProvisionerOwnership(Provisioner provisioner, ClusterMemory memory) {
        this.provisioner = provisioner;
        this.memory = memory;
    }

    @Override
    public void assigned(Set<Integer> partitions) {
        provisioner.takeOver(partitions, load(partitions).values());
    }

    @Override
    public void revoked(Set<Integer> partitions) {
        provisioner.handOver(partitions);
    }

    private Map<String, ProvisionerClusterState> load(Set<Integer> partitions) {
        for (int attempt = 1; ; attempt++) {
            try {
                return memory.load(partitions);
            } catch (RuntimeException e) {
                if (attempt >= READ_ATTEMPTS) {
                    // acting without them is safe for the nodes (the cloud listing decides what exists, a redelivered
                    // request grows only to its target), but a backoff and the busy guard of pending assignments are
                    // lost
                    LOG.errorf(
                            "cannot read the durable records of partitions %s (%d attempts): %s; acting from the "
                                    + "cloud's listing alone",
                            partitions, attempt, e.getMessage());
                    return Map.of();
                }
                LOG.warnf(
                        "reading the durable records of partitions %s failed (attempt %d): %s",
                        partitions, attempt, e.getMessage());
            }
        }
    }
}
