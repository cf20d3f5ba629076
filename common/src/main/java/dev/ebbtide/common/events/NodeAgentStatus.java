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
        Instant at) {

    public enum Kind {
        ANNOUNCED,
        HEARTBEAT,
        STOPPING
    }

    /** One rank an agent runs. */
    public record RunningRank(String jobId, int attempt, int rank) {}

    public NodeAgentStatus {
        running = running == null ? List.of() : List.copyOf(running);
        finished = finished == null ? List.of() : List.copyOf(finished);
    }

    /** The key of a job attempt as used in {@link #finished}. */
    public static String attemptKey(String jobId, int attempt) {
        return jobId + "#" + attempt;
    }
}
