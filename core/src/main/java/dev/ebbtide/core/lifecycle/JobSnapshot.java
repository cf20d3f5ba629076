package dev.ebbtide.core.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the lifecycle needs to know about one job.
 *
 * @param nodes          the current attempt's nodes in rank order (empty while queued)
 * @param exitedRanks    ranks of the current attempt that reported an exit
 * @param exitCode       the first non-zero exit code of the attempt, else 0 once a rank exited, else null
 * @param nodesHolding   how many nodes the scheduler still counts as given to this job (after the event's own node
 *                       was freed): a cancel finishes when it is 0
 */
public record JobSnapshot(
        String jobId,
        JobPhase phase,
        String reason,
        int instanceCount,
        int attempt,
        List<String> nodes,
        Set<Integer> exitedRanks,
        Integer exitCode,
        String outputLocation,
        Instant startedAt,
        Instant endedAt,
        int nodesHolding) {

    public JobSnapshot {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(phase, "phase");
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        exitedRanks = exitedRanks == null ? Set.of() : Set.copyOf(new TreeSet<>(exitedRanks));
    }

    /** A job just submitted: queued, never placed. */
    public static JobSnapshot queued(String jobId, int instanceCount) {
        return new JobSnapshot(
                jobId, JobPhase.Queued, null, instanceCount, 0, List.of(), Set.of(), null, null, null, null, 0);
    }
}
