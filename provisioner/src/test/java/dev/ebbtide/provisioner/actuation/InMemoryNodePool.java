package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny test pool for the actuation core: nodes in a map, failures queued by hand. */
final class InMemoryNodePool implements NodePool {
    final Map<String, CloudNode> nodes = new LinkedHashMap<>();
    final Deque<CloudException> failures = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();
    /** Runs inside deleteNodes (e.g. to block like a slow cloud). */
    volatile Runnable onDelete = () -> {};

    private final String cluster;
    private final Clock clock;
    private int next;

    InMemoryNodePool(String cluster, Clock clock) {
        this.cluster = cluster;
        this.clock = clock;
    }

    private void maybeFail() {
        CloudException e = failures.poll();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public int targetSize() {
        return nodes.size();
    }

    @Override
    public void increaseSize(int delta) {
        calls.add("increaseSize " + delta);
        maybeFail();
        for (int i = 0; i < delta; i++) {
            String name = cluster + "-" + next++;
            nodes.put(name, CloudNode.of(name, CloudNodeStatus.CREATING, clock.instant()));
        }
    }

    @Override
    public void simulateEviction(String name) {
        calls.add("simulateEviction " + name); // the cloud gives notice first; a test removes the VM when it goes
    }

    @Override
    public void deleteNodes(List<String> names) {
        calls.add("deleteNodes " + names);
        maybeFail();
        onDelete.run();
        names.forEach(nodes::remove);
    }

    @Override
    public List<CloudNode> nodes() {
        return List.copyOf(nodes.values());
    }

    void put(String name, CloudNodeStatus status) {
        nodes.put(name, CloudNode.of(name, status, clock.instant()));
    }
}
