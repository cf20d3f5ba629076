package dev.ebbtide.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/**
 * Submissions ({@code ebbtide.jobs.submitted}): a valid one for a known cluster is queued and placement runs; a bad
 * one is dead-lettered with the reason and, when its job id can be read, the job is {@code Failed} with it. A
 * redelivered submission (same job id) has no second effect.
 */
@ApplicationScoped
class Submissions {
    private static final Logger LOG = Logger.getLogger(Submissions.class);

    @Inject
    Clock clock;
    @Inject
    JobTransitions transitions;
    @Inject
    Placement placement;

    Uni<Void> onSubmitted(String key, String value, Outgoing out) {
        JobSubmitted submitted;
        try {
            submitted = EventJson.read(value, JobSubmitted.class);
            String problem = problemWith(submitted);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        } catch (IllegalArgumentException e) {
            String jobId = jobIdOf(value);
            String reason = "invalid submission: " + e.getMessage();
            LOG.warnf("dead-lettering submission %s: %s", jobId, reason);
            out.deadLetter(Topics.JOBS_SUBMITTED, key, value, reason);
            if (jobId == null) {
                return Uni.createFrom().voidItem();
            }
            return failUnknownJob(jobId, key, reason, out);
        }
        return alreadyStored(submitted.jobId(), out).chain(existing -> {
            if (existing) {
                LOG.debugf("job %s already known (redelivery): ignored", submitted.jobId());
                return Uni.createFrom().voidItem();
            }
            return ClusterEntity.<ClusterEntity>findById(submitted.cluster()).chain(cluster -> {
                JobEntity job = newJob(submitted);
                stored(job.id, out);
                String reason = null;
                if (cluster == null) {
                    reason = "unknown cluster '" + submitted.cluster() + "'";
                } else if (submitted.spec().instanceCount() > cluster.maxInstances) {
                    reason = "job asks for " + submitted.spec().instanceCount() + " nodes but cluster '"
                            + cluster.name + "' has max_instances " + cluster.maxInstances;
                }
                if (reason != null) {
                    out.deadLetter(Topics.JOBS_SUBMITTED, key, value, reason);
                    transitions.transition(job, JobState.Failed, reason, out);
                    job.endedAt = now();
                    return job.persist().replaceWithVoid();
                }
                transitions.transition(job, JobState.Queued, "waiting for " + job.instanceCount + " node(s)", out);
                return job.persist().chain(() -> placement.place(job.cluster, out));
            });
        });
    }

    private static String problemWith(JobSubmitted s) {
        if (s.jobId() == null || s.jobId().isBlank()) {
            return "jobId is missing";
        }
        if (s.cluster() == null || s.cluster().isBlank()) {
            return "cluster is missing";
        }
        JobSpec spec = s.spec();
        if (spec == null || spec.command() == null || spec.command().isBlank()) {
            return "spec.command is missing";
        }
        if (spec.instanceCount() < 1) {
            return "spec.instanceCount must be >= 1, got " + spec.instanceCount();
        }
        try { // producers other than the job-submitter: a bad environment would only be rejected on every node
            spec.environmentVariables().forEach(AzureMlYaml::checkVariable);
        } catch (InvalidSpecException e) {
            return e.getMessage();
        }
        return null;
    }

    /** Whether the job is stored: from the batch's one query when there is one, else by looking it up. */
    private static Uni<Boolean> alreadyStored(String jobId, Outgoing out) {
        if (out.storedJobIds != null) {
            return Uni.createFrom().item(out.storedJobIds.contains(jobId));
        }
        return JobEntity.<JobEntity>findById(jobId).map(j -> j != null);
    }

    /** Remembers a job stored by this batch, so a second copy of its submission later in the batch is ignored. */
    private static void stored(String jobId, Outgoing out) {
        if (out.storedJobIds != null) {
            out.storedJobIds.add(jobId);
        }
    }

    static String jobIdOf(String value) {
        try {
            JsonNode node = EventJson.mapper().readTree(value);
            return node != null && node.hasNonNull("jobId") ? node.get("jobId").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private Uni<Void> failUnknownJob(String jobId, String cluster, String reason, Outgoing out) {
        return alreadyStored(jobId, out).chain(existing -> {
            if (existing) {
                return Uni.createFrom().voidItem();
            }
            stored(jobId, out);
            JobEntity job = new JobEntity();
            job.id = jobId;
            job.cluster = cluster == null ? "unknown" : cluster;
            job.submittedAt = now();
            job.endedAt = job.submittedAt;
            job.priority = "medium";
            transitions.transition(job, JobState.Failed, reason, out);
            return job.persist().replaceWithVoid();
        });
    }

    private JobEntity newJob(JobSubmitted s) {
        JobEntity job = new JobEntity();
        job.id = s.jobId();
        job.cluster = s.cluster();
        job.instanceCount = s.spec().instanceCount();
        job.priority = s.spec().priority();
        job.specJson = EventJson.write(s.spec());
        job.submittedAt = s.submittedAt() != null ? s.submittedAt() : now();
        job.submittedBy = s.submittedBy();
        job.sequence = ChronoUnit.MICROS.between(Instant.EPOCH, job.submittedAt);
        return job;
    }

    private Instant now() {
        return clock.instant();
    }
}
