package dev.ebbtide.common.events;

import java.time.Instant;
import java.util.List;

/**
 * What a node agent says about itself, on {@code ebbtide.nodes.agents}: once when it starts ({@code ANNOUNCED}), every
 * heartbeat interval and at once after each change ({@code HEARTBEAT}), and when it shuts down ({@code STOPPING}).
 * The provisioner turns these into node states; the scheduler never reads them.
 *
 * @param agentId      random id of this agent process (a restarted agent has a new one)
 * @param address      where the node's processes can be reached by the other nodes (host name or IP)
 * @param port         the node's rendezvous port ({@code MASTER_PORT} when it is rank 0)
 * @param memoryMb     the node's memory in MiB
 * @param agentVersion the agent's version
 * @param running      the ranks the agent runs now
 * @param finished     the latest job attempts ({@code jobId#attempt}) this agent ended, refused or was told to stop,
 *                     newest last, at most 50: an assignment listed here is no longer pending on the node
 * @param evictionNotice optional (added in v1): the cloud's notice that it takes the VM back (an Azure Spot
 *                     {@code Preempt} scheduled event); from the first status that carries it, nothing new is placed
 *                     on the node and its job goes back to the queue
 */
public record NodeAgentStatus(
        Kind kind,
        String cluster,
        String node,
        String agentId,
        String address,
        Integer port,
        Integer cores,
        Long memoryMb,
        Integer gpus,
        String agentVersion,
        List<RunningRank> running,
        List<String> finished,
        Instant at,
        EvictionNotice evictionNotice) {

    public enum Kind {
        ANNOUNCED,
        HEARTBEAT,
        STOPPING
    }

    /** One rank an agent runs. */
    public record RunningRank(String jobId, int attempt, int rank) {}

    /**
     * A scheduled event that takes the VM away, as the agent read it from the instance metadata service.
     *
     * @param eventId   the scheduled event's {@code EventId} (the agent acknowledges it once its job is off the node)
     * @param eventType the event's {@code EventType}: {@code Preempt} (a Spot eviction)
     * @param notBefore the event's {@code NotBefore}: the VM is taken back at or after this time
     * @param seenAt    when the agent first saw the event
     */
    public record EvictionNotice(String eventId, String eventType, Instant notBefore, Instant seenAt) {}

    /** A status without an eviction notice (every status before one is seen). */
    public NodeAgentStatus(
            Kind kind,
            String cluster,
            String node,
            String agentId,
            String address,
            Integer port,
            Integer cores,
            Long memoryMb,
            Integer gpus,
            String agentVersion,
            List<RunningRank> running,
            List<String> finished,
            Instant at) {
        this(
                kind,
                cluster,
                node,
                agentId,
                address,
                port,
                cores,
                memoryMb,
                gpus,
                agentVersion,
                running,
                finished,
                at,
                null);
    }

    public NodeAgentStatus {
        running = running == null ? List.of() : List.copyOf(running);
        finished = finished == null ? List.of() : List.copyOf(finished);
    }

    /** The key of a job attempt as used in {@link #finished}. */
    public static String attemptKey(String jobId, int attempt) {
        return jobId + "#" + attempt;
    }
}
