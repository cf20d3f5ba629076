package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes on this machine: a node is a name and a creation time; it is READY once the boot delay has passed. The jobs
 * a node runs are real OS processes started by {@link LocalJobRunner}.
 */
public final class LocalNodePool implements NodePool {
    private final String cluster;
    private final Duration bootDelay;
    private final Clock clock;
    private final Map<String, Instant> nodes = new LinkedHashMap<>();
    private int nextIndex;

    public LocalNodePool(String cluster, Duration bootDelay, Clock clock) {
        this.cluster = cluster;
        this.bootDelay = bootDelay;
        this.clock = clock;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public synchronized int targetSize() {
        return nodes.size();
    }

    @Override
    public synchronized void increaseSize(int delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        Instant now = clock.instant();
        for (int i = 0; i < delta; i++) {
            nodes.put(cluster + "-" + nextIndex++, now);
        }
    }

    @Override
    public synchronized void deleteNodes(List<String> names) {
        names.forEach(nodes::remove);
    }

    @Override
    public synchronized List<CloudNode> nodes() {
        Instant now = clock.instant();
        List<CloudNode> list = new ArrayList<>();
        nodes.forEach((name, created) -> list.add(CloudNode.of(name,
                now.isBefore(created.plus(bootDelay)) ? CloudNodeStatus.CREATING : CloudNodeStatus.READY, created)));
        return list;
    }
}
