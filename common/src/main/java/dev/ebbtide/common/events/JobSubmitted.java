package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A job was submitted to a cluster. Topic {@link Topics#JOBS_SUBMITTED}, type {@link EventTypes#JOB_SUBMITTED}.
 *
 * @param submittedBy optional: the authenticated principal that submitted it through the REST API (absent for
 *                    events written straight to Kafka, and in events older than this field)
 */
public record JobSubmitted(String jobId, String cluster, JobSpec spec, Instant submittedAt, String submittedBy) {

    /** A submission without a known principal. */
    public JobSubmitted(String jobId, String cluster, JobSpec spec, Instant submittedAt) {
        this(jobId, cluster, spec, submittedAt, null);
    }
}
