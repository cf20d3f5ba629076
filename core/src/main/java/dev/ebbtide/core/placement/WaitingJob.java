package dev.ebbtide.core.placement;

import java.time.Duration;
import java.util.Objects;

/**
 * A job in a cluster's queue, waiting for all of its nodes (gang start).
 *
 * @param jobId     the job id
 * @param nodes     nodes the job needs at once ({@code instance_count}), at least 1
 * @param priority  queue priority
 * @param sequence  FIFO order within a priority: lower starts first (e.g. the submission sequence number)
 * @param timeLimit the job's time limit ({@code limits.timeout}), or {@code null} when unknown; only used to decide
 *                  whether the job may be backfilled
 * @param team      the team the job belongs to, for {@link FairShare}; {@link #NO_TEAM} when teams do not matter
 */
public record WaitingJob(String jobId, int nodes, Priority priority, long sequence, Duration timeLimit, String team) {
    /** The team of a job built without one: every such job is one team's, so fair share changes nothing. */
    public static final String NO_TEAM = "default";

    /** A job of {@link #NO_TEAM}. */
    public WaitingJob(String jobId, int nodes, Priority priority, long sequence, Duration timeLimit) {
        this(jobId, nodes, priority, sequence, timeLimit, NO_TEAM);
    }

    public WaitingJob {
        Objects.requireNonNull(jobId, "jobId");
        team = team == null ? NO_TEAM : team;
        Objects.requireNonNull(priority, "priority");
        if (nodes < 1) {
            throw new IllegalArgumentException("job " + jobId + " needs at least 1 node, got " + nodes);
        }
        if (timeLimit != null && timeLimit.isNegative()) {
            throw new IllegalArgumentException("job " + jobId + " has a negative time limit");
        }
    }
}
