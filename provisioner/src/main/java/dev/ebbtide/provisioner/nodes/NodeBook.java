package dev.ebbtide.provisioner.nodes;

import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provisioner's view of its nodes, as a pure fold of (view, event, now): cloud listings, agent statuses,
 * assignments (the busy guard) and time become node states. No I/O, no clock, not thread-safe (the caller
 * synchronizes). Every method returns the node-state changes to publish, in order.
 * <ul>
 * <li>{@code preparing} until the node's agent first speaks, then {@code idle} / {@code running} from the agent's
 *     {@code running} list;</li>
 * <li>busy = the agent runs a rank, or an assignment naming the node was seen whose {@code jobId#attempt} is not yet
 *     in the agent's {@code finished} list (the window between assignment and start);</li>
 * <li>{@code lost} when the agent has been silent for {@code lostAfter} or said it is stopping (sticky);</li>
 * <li>{@code preempted} from the first agent status with an eviction notice (sticky: the cloud removes the node);</li>
 * <li>a node in the cloud that Ebbtide does not track but whose agent is heart-beating (a restarted provisioner) is
 *     adopted at once, in the state its agent reports;</li>
 * <li>an attached pool ({@link #attach}) has no cloud: a machine joins it when its agent speaks with the pool's name,
 *     and leaves it ({@link #left}) once lost; it may join again later.</li>
 * </ul>
 * What it folds into, and the reads of it, are the {@link NodeTable}'s.
 */
public final class NodeBook extends NodeTable {

    /** A node-state change to publish; {@code previous} is what was published before (null: never). */
    public record Change(
            String cluster,
            String node,
            NodeState state,
            NodeState previous,
            String jobId,
            String reason,
            String address,
            Integer port) {}

    /** A tracked node as published, for the REST view. */
    public record View(String cluster, NodeState state, String jobId, String address, Integer port) {}

    public NodeBook(Duration lostAfter) {
        super(lostAfter);
    }

    /** The cloud created a node for a scale request (or a replacement). */
    public List<Change> requested(String cluster, String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.computeIfAbsent(node, k -> new Entry(cluster));
        set(node, e, NodeState.preparing, null, reason, false, out);
        return out;
    }

    /** A cluster is an attached pool: every machine whose agent already heart-beats with its name joins it now. */
    public List<Change> attach(String cluster, Instant now) {
        List<Change> out = new ArrayList<>();
        attached.add(cluster);
        agents.forEach((node, a) -> {
            if (a.cluster().equals(cluster) && !nodes.containsKey(node) && a.fresh(now, lostAfter)) {
                join(node, cluster, now, out);
            }
        });
        return out;
    }

    /**
     * A lost machine leaves its attached pool ({@code deleted}: nothing was deleted, the machine is just no longer
     * counted); unlike {@link #removed} its agent may join again when it speaks.
     */
    public List<Change> left(String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null) {
            set(node, e, NodeState.deleted, null, reason, false, out);
            nodes.remove(node);
            agents.remove(node);
        }
        return out;
    }

    /**
     * The node is about to be stopped on purpose (a compute instance's stop): {@code lost} now, before its agent goes,
     * so its job is requeued rather than ended by the agent's shutdown.
     */
    public List<Change> stopping(String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null && e.state.isLive()) {
            lose(node, e, reason, out);
        } else if (e == null) {
            // a compute instance on azure-vmss: its node is named as its VM (<scale set>_0), its cluster as the
            // instance
            for (Map.Entry<String, Entry> n : List.copyOf(nodes.entrySet())) {
                if (n.getValue().cluster.equals(node) && n.getValue().state.isLive()) {
                    lose(n.getKey(), n.getValue(), reason, out);
                }
            }
        }
        return out;
    }

    /** The reconciler adopted an instance nobody tracked (after its grace period). */
    public List<Change> adopted(String cluster, String node, String reason, Instant now) {
        List<Change> out = requested(cluster, node, reason);
        follow(node, nodes.get(node), null, now, out);
        return out;
    }

    /**
     * The node was deleted from the cloud: a live node (scale-down) goes {@code leaving} then {@code deleted}; a lost or
     * unusable one straight to {@code deleted}.
     */
    public List<Change> removed(String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null) {
            if (e.state.isLive()) {
                set(node, e, NodeState.leaving, null, reason, false, out);
            }
            set(node, e, NodeState.deleted, null, e.state == NodeState.leaving ? "removed" : reason, false, out);
        }
        forget(node);
        return out;
    }

    /** A scale-down deletes the node next: it is {@code leaving} (its agent stopping then is no loss). */
    public List<Change> leaving(String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null && e.state.isLive()) {
            set(node, e, NodeState.leaving, null, reason, false, out);
        }
        return out;
    }

    /** The deletion of a leaving node failed: it follows the cloud and its agent again. */
    public List<Change> kept(String node, String reason, Instant now) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null && e.state == NodeState.leaving) {
            NodeState target = target(node, e, now);
            if (target == NodeState.leaving) { // its agent is silent or stopped meanwhile
                lose(node, e, reason + "; its agent is gone", out);
            } else {
                set(
                        node,
                        e,
                        target,
                        target == NodeState.running ? jobOf(e, agents.get(node)) : null,
                        reason,
                        false,
                        out);
            }
        }
        return out;
    }

    /** The node was given up (unusable, its deletion follows); it keeps that state until it is gone. */
    public List<Change> givenUp(String node, String reason) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null) {
            set(node, e, NodeState.unusable, null, reason, false, out);
        }
        return out;
    }

    /** A removal was refused: the node's state is published again with the reason. */
    public List<Change> removalRefused(String node, String why) {
        List<Change> out = new ArrayList<>();
        Entry e = nodes.get(node);
        if (e != null) {
            set(node, e, e.state, e.jobId, "removal refused: " + why, true, out);
        }
        return out;
    }

    /** One listing of a cluster's nodes from the cloud. */
    public List<Change> listed(String cluster, List<CloudNode> listing, Instant now) {
        List<Change> out = new ArrayList<>();
        Set<String> present = new LinkedHashSet<>();
        for (CloudNode n : listing) {
            present.add(n.name());
            Entry e = nodes.get(n.name());
            if (e == null) {
                Agent a = agents.get(n.name());
                if (n.status() == CloudNodeStatus.READY
                        && a != null
                        && a.cluster().equals(cluster)
                        && a.fresh(now, lostAfter)
                        && !removed.contains(n.name())) {
                    e = new Entry(cluster);
                    e.cloud = n.status();
                    nodes.put(n.name(), e);
                    follow(n.name(), e, "adopted: in the cloud with a heart-beating agent", now, out);
                }
                continue; // otherwise unknown: the reconciler adopts or deletes it after the grace period
            }
            e.cloud = n.status();
            follow(n.name(), e, n.message(), now, out);
        }
        for (String node : List.copyOf(nodes.keySet())) {
            Entry e = nodes.get(node);
            if (e.cluster.equals(cluster) && !present.contains(node)) {
                set(node, e, NodeState.deleted, null, "no longer in the cloud", false, out);
                forget(node);
            }
        }
        return out;
    }

    /** A status from a node's agent. */
    public List<Change> agentStatus(NodeAgentStatus s, Instant now) {
        List<Change> out = new ArrayList<>();
        if (removed.contains(s.node())) {
            return out;
        }
        Instant seen = s.at() != null && s.at().isBefore(now) ? s.at() : now; // a replayed status is not fresh
        Agent before = agents.get(s.node());
        if (before != null && seen.isBefore(before.lastSeen())) {
            return out; // older than what we know
        }
        agents.put(s.node(), new Agent(s.cluster(), seen, s));
        Entry e = nodes.get(s.node());
        if (e == null) {
            if (attached.contains(s.cluster()) && agents.get(s.node()).fresh(now, lostAfter)) {
                join(s.node(), s.cluster(), now, out);
            }
            return out;
        }
        e.pending.removeAll(s.finished());
        if (s.evictionNotice() != null && e.state != NodeState.preempted && e.state.isLive()) {
            // the cloud takes the VM back: nothing new goes there and its job is requeued now, while the agent gives
            // the ranks their grace; the cloud then removes the node (Azure: Spot eviction policy Delete)
            NodeAgentStatus.EvictionNotice n = s.evictionNotice();
            set(
                    s.node(),
                    e,
                    NodeState.preempted,
                    jobOf(e, agents.get(s.node())),
                    "eviction notice: the cloud takes the VM back at " + n.notBefore() + " (" + n.eventType()
                            + " scheduled event " + n.eventId() + ")",
                    false,
                    out);
            return out;
        }
        if (s.kind() == NodeAgentStatus.Kind.STOPPING) {
            if (e.state.isLive()) {
                lose(s.node(), e, "its agent is stopping", out);
            }
        } else {
            follow(
                    s.node(),
                    e,
                    s.kind() == NodeAgentStatus.Kind.ANNOUNCED ? "its agent announced itself" : null,
                    now,
                    out);
        }
        return out;
    }

    /** An assignment: each named node is busy until its agent lists the attempt as running or finished. */
    public List<Change> assigned(JobAssigned a, Instant now) {
        List<Change> out = new ArrayList<>();
        String key = NodeAgentStatus.attemptKey(a.jobId(), a.attempt() == null ? 1 : a.attempt());
        for (String node : a.nodes()) {
            Entry e = nodes.get(node);
            Agent agent = agents.get(node);
            if (e != null && (agent == null || !agent.status().finished().contains(key))) {
                e.pending.add(key);
                follow(node, e, null, now, out);
            }
        }
        return out;
    }

    /** Time passes: nodes whose agent has been silent for {@code lostAfter} are lost. */
    public List<Change> tick(Instant now) {
        List<Change> out = new ArrayList<>();
        nodes.forEach((node, e) -> {
            Agent a = agents.get(node);
            if (a != null && e.state.isLive() && !a.fresh(now, lostAfter)) {
                lose(node, e, "no status from its agent for " + lostAfter.toSeconds() + " s", out);
            }
        });
        return out;
    }

    // --- the fold ---

    private void join(String node, String cluster, Instant now, List<Change> out) {
        Entry e = new Entry(cluster);
        e.cloud = CloudNodeStatus.READY;
        nodes.put(node, e);
        follow(node, e, "joined the attached pool: its agent speaks", now, out);
    }

    /** Sets the state the cloud and the agent imply (a lost, unusable, leaving or preempted node stays so). */
    private void follow(String node, Entry e, String reason, Instant now, List<Change> out) {
        if (e.state == NodeState.lost
                || e.state == NodeState.unusable
                || e.state == NodeState.leaving
                || e.state == NodeState.preempted) {
            return;
        }
        NodeState target = target(node, e, now);
        Agent a = agents.get(node);
        String job = target == NodeState.running ? jobOf(e, a) : null;
        boolean jobChanged =
                target == NodeState.running && e.state == NodeState.running && !java.util.Objects.equals(job, e.jobId);
        set(node, e, target, job, reason, jobChanged, out);
    }

    /** The state the cloud and the agent imply now. */
    private NodeState target(String node, Entry e, Instant now) {
        Agent a = agents.get(node);
        return switch (e.cloud == null ? CloudNodeStatus.READY : e.cloud) {
            case CREATING -> NodeState.preparing;
            case READY ->
                a == null
                        ? NodeState.preparing
                        : !a.fresh(now, lostAfter) && e.state != null
                                ? e.state // silence: tick decides
                                : busy(e, a) ? NodeState.running : NodeState.idle;
            case DELETING -> NodeState.leaving;
            case PREEMPTED -> NodeState.preempted;
            case FAILED -> NodeState.unusable;
        };
    }

    private void lose(String node, Entry e, String why, List<Change> out) {
        set(node, e, NodeState.lost, jobOf(e, agents.get(node)), why, false, out);
    }
}
