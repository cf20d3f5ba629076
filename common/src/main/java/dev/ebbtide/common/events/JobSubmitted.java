package dev.ebbtide.common.events;

import java.time.Instant;

/** A job was submitted to a cluster. Topic {@link Topics#JOBS_SUBMITTED}, type {@link EventTypes#JOB_SUBMITTED}. */
public record JobSubmitted(String jobId, String cluster, JobSpec spec, Instant submittedAt) {
}
