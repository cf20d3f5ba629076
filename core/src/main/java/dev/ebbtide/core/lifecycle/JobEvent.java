package dev.ebbtide.core.lifecycle;

import java.time.Instant;
import java.util.List;

/** What can happen to a job once it is queued. Attempts are those the reports name (null = the current one). */
public sealed interface JobEvent {

    /** Placement gave the job these nodes (rank order): a new attempt starts. */
    record Placed(List<String> nodes) implements JobEvent {
        public Placed {
            nodes = List.copyOf(nodes);
        }
    }

    /** A rank's command started. */
    record RankStarted(int rank, Integer attempt, Instant at) implements JobEvent {}

    /** A rank's command ended; {@code exitCode} null when the agent could not tell. */
    record RankExited(
            String node, int rank, Integer attempt, Integer exitCode, String reason, String outputPath, Instant at)
            implements JobEvent {}

    /** A node refused its part of the assignment (busy, leaving, stopped before it started, bad environment). */
    record Rejected(String node, int rank, Integer attempt, String reason) implements JobEvent {}

    /** A node of the job went away ({@code how}: preempted, unusable, lost, leaving, deleted). */
    record NodeLost(String node, String how, Integer attempt) implements JobEvent {}

    /**
     * The scheduler takes the job's nodes back for another job (a team reclaiming its quota): the job is asked to stop
     * on its nodes (SIGTERM, the agent's grace) and goes back to the queue.
     */
    record Preempted(String reason) implements JobEvent {}

    /** A user asked to cancel the job. */
    record CancelAsked(String reason) implements JobEvent {}
}
