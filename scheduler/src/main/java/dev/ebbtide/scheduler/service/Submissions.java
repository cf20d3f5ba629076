package dev.ebbtide.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Submissions ({@code ebbtide.jobs.submitted}): a valid one for a known cluster is queued and placement runs; a bad
 * one is dead-lettered with the reason and, when its job id can be read, the job is {@code Failed} with it. A job for
 * a cluster the scheduler has not seen yet waits ({@code NotStarted}, {@value #WAITING}) until the scheduler has read
 * the clusters topic up to its end ({@link ClusterWait}): the definition may simply be behind it on another topic.
 * A redelivered submission (same job id) has no second effect.
 */
@ApplicationScoped
class Submissions {
    static final String WAITING = "waiting for the cluster definition";
    private static final Logger LOG = Logger.getLogger(Submissions.class);
    /** A job id or cluster name read from a record that failed its checks is used only if it is this plain. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,255}");

    @Inject
    Clock clock;

    @Inject
    JobTransitions transitions;

    @Inject
    Placement placement;

    @Inject
    WaitReasons waitReasons;

    @Inject
    QueueIndex index;

    @Inject
    IntakeTeams teams;

    Uni<Void> onSubmitted(ConsumerRecord<byte[], byte[]> record, JobSubmitted submitted, Outgoing out) {
        IntakeTeams.Decision team = teams.of(record.topic(), submitted);
        String problem = problemWith(submitted);
        if (problem != null || team.refusal() != null) {
            String reason = problem != null ? "invalid submission: " + problem : team.refusal();
            out.deadLetter(record, reason);
            return failUnknownJob(submitted.jobId(), submitted.cluster(), team.team(), reason, out);
        }
        return alreadyStored(submitted.jobId(), out).chain(existing -> {
            if (existing) {
                LOG.debugf("job %s already known (redelivery): ignored", submitted.jobId());
                return Uni.createFrom().voidItem();
            }
            return ClusterEntity.<ClusterEntity>findById(submitted.cluster()).chain(cluster -> {
                JobEntity job = newJob(submitted, team.team());
                stored(job.id, out);
                if (cluster == null) {
                    transitions.transition(job, JobState.NotStarted, WAITING, out);
                    return job.persist().replaceWithVoid();
                }
                return admit(job, cluster, record, out, true);
            });
        });
    }

    /** A submission that could not be understood: dead-lettered by the caller; its job fails if its id can be read. */
    Uni<Void> onUnreadable(ConsumerRecord<byte[], byte[]> record, String reason, Outgoing out) {
        JsonNode node = lenientTree(record.value());
        String jobId = plain(node, "jobId");
        if (jobId == null) {
            return Uni.createFrom().voidItem();
        }
        return failUnknownJob(jobId, plain(node, "cluster"), null, "invalid submission: " + reason, out);
    }

    /** Queues the job, or fails it when it asks for more nodes than the cluster has (dead-lettering its record if any). */
    private Uni<Void> admit(JobEntity job, ClusterEntity cluster, ConsumerRecord<byte[], byte[]> record, Outgoing out) {
        return admit(job, cluster, record, out, false);
    }

    /** @param isNew a job not stored yet: a queued one is inserted with the transaction's other new jobs */
    private Uni<Void> admit(
            JobEntity job, ClusterEntity cluster, ConsumerRecord<byte[], byte[]> record, Outgoing out, boolean isNew) {
        if (job.instanceCount > cluster.maxInstances) {
            String reason = "job asks for " + job.instanceCount + " nodes but cluster '" + cluster.name
                    + "' has max_instances " + cluster.maxInstances;
            if (record != null) {
                out.deadLetter(record, reason);
            }
            return fail(job, reason, out);
        }
        transitions.transition(
                job, JobState.Queued, waitReasons.reason(job.cluster, job.instanceCount, clock.instant()), out);
        if (isNew) {
            out.insertLater(job); // insert-only: one INSERT for the batch's new jobs, no managed entity
            return placement.place(job.cluster, out);
        }
        return job.persist().chain(() -> placement.place(job.cluster, out));
    }

    /** The cluster has just been defined: jobs that waited for it are admitted. */
    Uni<Void> admitWaiting(String cluster, Outgoing out) {
        return JobEntity.<JobEntity>find(
                        "cluster = ?1 and state = ?2 and reason = ?3", cluster, JobState.NotStarted, WAITING)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .list()
                .chain(jobs -> jobs.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : ClusterEntity.<ClusterEntity>findById(cluster)
                                .chain(c -> inOrder(jobs, j -> admit(j, c, null, out))));
    }

    /**
     * The scheduler has read the clusters topic to its end: each of these jobs still waiting, of a cluster this instance
     * owns, is admitted if its cluster exists now, else fails with "unknown cluster".
     */
    Uni<Void> settleWaiting(List<String> jobIds, Outgoing out) {
        return JobEntity.<JobEntity>find(
                        "id in ?1 and state = ?2 and reason = ?3", jobIds, JobState.NotStarted, WAITING)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .list()
                .map(jobs -> jobs.stream().filter(j -> index.actsFor(j.cluster)).toList()) // may have changed since
                .chain(jobs -> inOrder(
                        jobs,
                        job -> ClusterEntity.<ClusterEntity>findById(job.cluster)
                                .chain(c -> c != null
                                        ? admit(job, c, null, out)
                                        : fail(job, "unknown cluster '" + job.cluster + "'", out))));
    }

    private Uni<Void> fail(JobEntity job, String reason, Outgoing out) {
        transitions.transition(job, JobState.Failed, reason, out);
        job.endedAt = now();
        return job.persist().replaceWithVoid();
    }

    private static <T> Uni<Void> inOrder(List<T> items, java.util.function.Function<T, Uni<Void>> step) {
        return InOrder.each(items, step);
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

    /** Checks beyond {@code EventRules} (already passed by the decoder), for producers other than the job-submitter. */
    private static String problemWith(JobSubmitted s) {
        try { // a bad environment would only be rejected on every node
            s.spec().environmentVariables().forEach(AzureMlYaml::checkVariable);
        } catch (InvalidSpecException e) {
            return e.getMessage();
        }
        return null;
    }

    /** The JSON tree of a value that failed the checks, if it is strict UTF-8 JSON at all; else null. */
    private static JsonNode lenientTree(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(value))
                    .toString();
            return EventJson.mapper().readTree(text);
        } catch (RuntimeException | java.io.IOException e) {
            return null;
        }
    }

    private static String plain(JsonNode node, String field) {
        if (node == null
                || !node.isObject()
                || !node.hasNonNull(field)
                || !node.get(field).isTextual()) {
            return null;
        }
        String text = node.get(field).asText();
        return PLAIN_ID.matcher(text).matches() ? text : null;
    }

    private Uni<Void> failUnknownJob(String jobId, String cluster, String team, String reason, Outgoing out) {
        if (jobId == null || !PLAIN_ID.matcher(jobId).matches()) {
            return Uni.createFrom().voidItem();
        }
        return alreadyStored(jobId, out).chain(existing -> {
            if (existing) {
                return Uni.createFrom().voidItem();
            }
            stored(jobId, out);
            JobEntity job = new JobEntity();
            job.id = jobId;
            job.cluster = cluster == null || !PLAIN_ID.matcher(cluster).matches() ? "unknown" : cluster;
            job.submittedAt = now();
            job.priority = "medium";
            job.team = team != null ? team : teams.defaultTeam();
            return fail(job, reason, out);
        });
    }

    private JobEntity newJob(JobSubmitted s, String team) {
        JobEntity job = new JobEntity();
        job.id = s.jobId();
        job.cluster = s.cluster();
        job.instanceCount = s.spec().instanceCount();
        job.priority = s.spec().priority();
        job.specJson = EventJson.write(s.spec());
        job.spec = s.spec(); // the queue index reads it instead of parsing specJson again
        job.submittedAt = s.submittedAt() != null ? s.submittedAt() : now();
        job.submittedBy = s.submittedBy();
        job.team = team;
        job.sequence = index.nextSequence(now()); // intake order: a producer's submittedAt cannot move it
        return job;
    }

    private Instant now() {
        return clock.instant();
    }
}
