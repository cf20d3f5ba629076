package dev.ebbtide.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The provisioner's durable memory of one cluster, on the compacted topic {@code ebbtide.provisioner.state} (key: the
 * cluster): what the instance that owns the cluster would otherwise keep only in memory. The owner writes it (and waits
 * for the broker's acknowledgement) after each change and before it acknowledges the scale request that caused it; the
 * instance that takes the cluster over reads the latest record and goes on from there.
 *
 * @param nodes           the node table as last published (not {@code deleted} nodes)
 * @param appliedRequests ids of the most recent scale requests applied for the cluster, newest last (at most 100)
 * @param backoff         the cluster's scale-up backoff (the last one, running or expired: its failure count), or null
 * @param instance        a compute instance's lifecycle state (only for {@code computeinstance} clusters), or null
 * @param sender          the provisioner instance that wrote the record
 * @param gangs           optional: the gang units not all up yet (job, nodes wanted, nodes created, deadline), so the
 *                        instance taking the cluster over gives them back on time; omitted when none
 */
public record ProvisionerClusterState(
        String cluster,
        List<Node> nodes,
        List<String> appliedRequests,
        Backoff backoff,
        Instance instance,
        Instant at,
        String sender,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Gang> gangs) {

    public ProvisionerClusterState {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        appliedRequests = appliedRequests == null ? List.of() : List.copyOf(appliedRequests);
        gangs = gangs == null ? List.of() : List.copyOf(gangs);
    }

    /** Without gang units. */
    public ProvisionerClusterState(
            String cluster,
            List<Node> nodes,
            List<String> appliedRequests,
            Backoff backoff,
            Instance instance,
            Instant at,
            String sender) {
        this(cluster, nodes, appliedRequests, backoff, instance, at, sender, null);
    }

    /** A gang unit not all up yet: the queued job, nodes wanted, the nodes created for it, its deadline. */
    public record Gang(String jobId, int wanted, List<String> nodes, Instant deadline) {
        public Gang {
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
        }
    }

    /**
     * One tracked node.
     *
     * @param jobId   the job it runs (or ran, when lost), or null
     * @param pending assignments ({@code jobId#attempt}) its agent has not yet reported: the busy guard
     */
    public record Node(String name, NodeState state, String jobId, List<String> pending) {
        public Node {
            pending = pending == null ? List.of() : List.copyOf(pending);
        }
    }

    /**
     * @param errorClass the last failure's error class
     * @param failures   consecutive failed scale-ups
     * @param until      scale-up waits until then
     */
    public record Backoff(String errorClass, int failures, Instant until, Reason reason) {}

    /**
     * @param state     Azure ML's name of the state, e.g. {@code Running}, {@code Stopped}
     * @param since     when it entered the state
     * @param idleSince when it last became idle, or null
     */
    public record Instance(String state, Instant since, Instant idleSince, String reason) {}
}
