package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A job was submitted to a cluster. Topic {@link Topics#JOBS_SUBMITTED} (the job-submitter's) or a producer's own
 * {@link Topics#submissionsOf}; type {@link EventTypes#JOB_SUBMITTED}.
 *
 * @param submittedAt when the producer says it submitted the job: shown, never used for queue order (the scheduler
 *                    orders by its own intake sequence)
 * @param submittedBy optional: the authenticated principal that submitted it through the REST API (absent for
 *                    events written straight to Kafka, and in events older than this field)
 * @param team        optional: the REST caller's team, written by the job-submitter from the caller's token. Honoured
 *                    only on {@link Topics#JOBS_SUBMITTED}; on a producer's own topic the team is the principal's
 *                    (docs/teams.md) and a different one is refused. Absent: the default team.
 */
public record JobSubmitted(
        String jobId, String cluster, JobSpec spec, Instant submittedAt, String submittedBy, String team) {

    /** A submission without a stated team. */
    public JobSubmitted(String jobId, String cluster, JobSpec spec, Instant submittedAt, String submittedBy) {
        this(jobId, cluster, spec, submittedAt, submittedBy, null);
    }

    /** A submission without a known principal. */
    public JobSubmitted(String jobId, String cluster, JobSpec spec, Instant submittedAt) {
        this(jobId, cluster, spec, submittedAt, null, null);
    }
}
