package dev.ebbtide.provisioner.nodes;

import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.ids.RecentIds;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the {@link NodeBook} folds into: the tracked nodes, the agents' last statuses, the attached pools and the nodes
 * removed for good, with the reads of them (the deletion guard, the REST view) and the cluster's durable record
 * (snapshot, restore, forget). The one place a node's state is set and a {@link NodeBook.Change} emitted. No I/O, not
 * thread-safe (the caller synchronizes).
 */
abstract class NodeTable {

    static final class Entry {
        final String cluster;
        NodeState state;
        String jobId;
        CloudNodeStatus cloud;
        final Set<String> pending = new LinkedHashSet<>();

        Entry(String cluster) {
            this.cluster = cluster;
        }
    }

    record Agent(String cluster, Instant lastSeen, NodeAgentStatus status) {
        boolean fresh(Instant now, Duration lostAfter) {
            return status.kind() != NodeAgentStatus.Kind.STOPPING && now.isBefore(lastSeen.plus(lostAfter));
        }
    }

    final Duration lostAfter;
    final Map<String, Entry> nodes = new LinkedHashMap<>();
    final Map<String, Agent> agents = new LinkedHashMap<>();
    /** Attached pools: their nodes are the machines whose agents speak with the pool's name. */
    final Set<String> attached = new LinkedHashSet<>();
    /** Nodes removed from the view: a late status of theirs never brings them back. */
    final RecentIds removed = new RecentIds(10_000);

    NodeTable(Duration lostAfter) {
        this.lostAfter = lostAfter;
    }

    public boolean isAttached(String cluster) {
        return attached.contains(cluster);
    }

    /** Whether the node may be deleted by a scale-down: it is idle with no job (running or assigned). */
    public boolean removable(String node) {
        Entry e = nodes.get(node);
        return e != null && e.state == NodeState.idle && !busy(e, agents.get(node));
    }

    /** Why {@link #removable} is false, in a few words. */
    public String whyNotRemovable(String node) {
        Entry e = nodes.get(node);
        if (e == null) {
            return "unknown node";
        }
        String job = jobOf(e, agents.get(node));
        return job != null ? "busy with job " + job : "in state " + e.state;
    }

    /** The nodes of a cluster in a given state. */
    public List<String> inState(String cluster, NodeState state) {
        return nodes.entrySet().stream()
                .filter(x -> x.getValue().cluster.equals(cluster) && x.getValue().state == state)
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The nodes tracked for a cluster (any state but deleted). */
    public Set<String> tracked(String cluster) {
        Set<String> out = new LinkedHashSet<>();
        nodes.forEach((node, e) -> {
            if (e.cluster.equals(cluster)) {
                out.add(node);
            }
        });
        return out;
    }

    /** The nodes of a cluster whose agent has spoken at least once. */
    public Set<String> announced(String cluster) {
        Set<String> out = new LinkedHashSet<>();
        agents.forEach((node, a) -> {
            if (a.cluster().equals(cluster)) {
                out.add(node);
            }
        });
        return out;
    }

    /** The cluster's tracked nodes as last published, for its durable record. */
    public List<ProvisionerClusterState.Node> snapshot(String cluster) {
        List<ProvisionerClusterState.Node> out = new ArrayList<>();
        nodes.forEach((node, e) -> {
            if (e.cluster.equals(cluster) && e.state != null) {
                out.add(new ProvisionerClusterState.Node(node, e.state, e.jobId, List.copyOf(e.pending)));
            }
        });
        return out;
    }

    /**
     * Takes over a cluster's nodes from its durable record, as they were last published: nothing is published now.
     * The next cloud listing publishes those the cloud no longer has as deleted and adopts those it has that the record
     * lacks (when their agents heart-beat); agents' statuses move the others on.
     */
    public void restore(String cluster, List<ProvisionerClusterState.Node> recorded) {
        for (ProvisionerClusterState.Node n : recorded) {
            if (nodes.containsKey(n.name()) || removed.contains(n.name()) || n.state() == NodeState.deleted) {
                continue;
            }
            Entry e = new Entry(cluster);
            e.state = n.state();
            e.jobId = n.jobId();
            e.pending.addAll(n.pending());
            nodes.put(n.name(), e);
        }
    }

    /**
     * The cluster is no longer this instance's: its nodes leave the view without a change published (their states live
     * on in the durable record and with the next owner). Agents' statuses are kept: a cheap warm view for a takeover.
     */
    public void forgetCluster(String cluster) {
        nodes.values().removeIf(e -> e.cluster.equals(cluster));
        attached.remove(cluster);
    }

    /** The clusters that have tracked nodes or are attached pools. */
    public Set<String> clusters() {
        Set<String> out = new LinkedHashSet<>(attached);
        nodes.values().forEach(e -> out.add(e.cluster));
        return out;
    }

    public Map<String, NodeBook.View> view() {
        Map<String, NodeBook.View> out = new TreeMap<>();
        nodes.forEach((node, e) -> {
            NodeAgentStatus s = agents.containsKey(node) ? agents.get(node).status() : null;
            out.put(
                    node,
                    new NodeBook.View(
                            e.cluster, e.state, e.jobId, s == null ? null : s.address(), s == null ? null : s.port()));
        });
        return out;
    }

    static boolean busy(Entry e, Agent a) {
        return a != null && !a.status().running().isEmpty() || !e.pending.isEmpty();
    }

    static String jobOf(Entry e, Agent a) {
        if (a != null && !a.status().running().isEmpty()) {
            return a.status().running().get(0).jobId();
        }
        if (!e.pending.isEmpty()) {
            String key = e.pending.iterator().next();
            return key.substring(0, key.lastIndexOf('#'));
        }
        return e.state == NodeState.running || e.state == NodeState.lost ? e.jobId : null;
    }

    void set(
            String node,
            Entry e,
            NodeState state,
            String jobId,
            String reason,
            boolean force,
            List<NodeBook.Change> out) {
        if (!force && e.state == state) {
            return;
        }
        NodeState previous = e.state;
        e.state = state;
        e.jobId = jobId;
        NodeAgentStatus s = agents.containsKey(node) ? agents.get(node).status() : null;
        boolean withAddress = s != null && state != NodeState.deleted;
        out.add(new NodeBook.Change(
                e.cluster,
                node,
                state,
                previous,
                jobId,
                reason,
                withAddress ? s.address() : null,
                withAddress ? s.port() : null));
    }

    void forget(String node) {
        nodes.remove(node);
        agents.remove(node);
        removed.add(node);
    }
}
