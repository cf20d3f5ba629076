package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.lifecycle.Outcome;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.CancelRequestEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Cancels: a queued job at once; a preparing or running one is asked to stop on its nodes and becomes Canceled when
 * they have all stopped. Only the owner of the job's cluster changes it (its in-memory queue and placement must stay
 * in step). Asked of another instance, the cancel is checked (the pure lifecycle refuses a job that has ended),
 * stored ({@code cancel_request}) and waited for up to {@link #OWNER_WAIT}; the owner applies the stored cancels of
 * its clusters every {@code ebbtide.scheduler.cluster-wait-check-interval}, deleting each in the transaction that
 * applies it. A stored cancel outlives a takeover: the next owner applies it.
 */
@ApplicationScoped
public class Cancels {
    private static final Logger LOG = Logger.getLogger(Cancels.class);
    /** How long a cancel asked of a non-owner waits for the owner before answering with the job as it is. */
    static final Duration OWNER_WAIT = Duration.ofSeconds(5);

    private static final Duration POLL = Duration.ofMillis(200);

    @Inject
    JobTransitions transitions;

    @Inject
    Placement placement;

    @Inject
    QueueIndex index;

    @Inject
    Outbox outbox;

    @Inject
    ClusterOwnership ownership;

    @Inject
    Clock clock;

    /** What a try did. */
    private enum Done {
        APPLIED,
        STORED,
        NOT_OWNED
    }

    /**
     * Cancels a job (REST).
     *
     * @return the job after the change (or as it is, if its cluster's owner has not applied the cancel yet), or null
     *         if there is no such job
     * @throws IllegalStateException if the job has already ended
     */
    public Uni<JobEntity> cancel(String jobId, String reason) {
        Done[] done = {null};
        JobState[] before = {null};
        return cancel(jobId, reason, false, done, before)
                .chain(job -> job == null || done[0] != Done.STORED
                        ? Uni.createFrom().item(job)
                        : awaitOwner(jobId, before[0]));
    }

    /**
     * One transaction: as the owner, applies the cancel (and deletes the stored request, when {@code stored}); else
     * stores a request (REST) or leaves it stored (a stored one, another instance owns the cluster now).
     */
    private Uni<JobEntity> cancel(String jobId, String reason, boolean stored, Done[] done, JobState[] before) {
        Outgoing out = new Outgoing();
        // the index first: building it clears the session, which would detach a job loaded before
        return ownership
                .acting(() -> Panache.withTransaction(() -> index.ready()
                                .chain(() -> JobEntity.<JobEntity>findById(jobId))
                                .chain(job -> {
                                    if (job == null) { // a stored request for it is dropped
                                        done[0] = Done.APPLIED;
                                        return stored
                                                ? CancelRequestEntity.deleteById(jobId)
                                                        .replaceWith(
                                                                Uni.createFrom().<JobEntity>nullItem())
                                                : Uni.createFrom().<JobEntity>nullItem();
                                    }
                                    before[0] = job.state;
                                    if (!index.actsFor(job.cluster)) {
                                        done[0] = stored ? Done.NOT_OWNED : Done.STORED;
                                        return stored ? Uni.createFrom().item(job) : store(job, reason);
                                    }
                                    Outcome outcome = transitions.apply(job, new JobEvent.CancelAsked(reason), 0, out);
                                    if (outcome.refusal() != null) {
                                        throw new IllegalStateException(outcome.refusal());
                                    }
                                    done[0] = Done.APPLIED;
                                    Uni<Void> step = job.state == JobState.Canceled
                                            ? placement.place(job.cluster, out)
                                            : Uni.createFrom().voidItem();
                                    if (stored) { // taken in the transaction that applies it
                                        step = step.chain(() -> CancelRequestEntity.deleteById(jobId))
                                                .replaceWithVoid();
                                    }
                                    return step.chain(() -> placement.placeTouched(out))
                                            .chain(() -> out.storeIn(outbox))
                                            .replaceWith(job);
                                }))
                        .onFailure()
                        .invoke(e -> out.undo()))
                .call(outbox::relay);
    }

    /** Stores a request to cancel {@code job} (inside the transaction), refused as the owner would refuse it. */
    private Uni<JobEntity> store(JobEntity job, String reason) {
        Outcome check = transitions
                .lifecycle()
                .apply(JobTransitions.snapshot(job, 0), new JobEvent.CancelAsked(reason), clock.instant());
        if (check.refusal() != null) {
            throw new IllegalStateException(check.refusal());
        }
        CancelRequestEntity request = new CancelRequestEntity();
        request.jobId = job.id;
        request.cluster = job.cluster;
        request.reason = reason;
        request.takenBy = ownership.instance();
        request.requestedAt = clock.instant();
        LOG.infof("%s: cancel of job %s stored for the owner of cluster %s", ownership.instance(), job.id, job.cluster);
        return Panache.getSession().chain(s -> s.merge(request)).replaceWith(job);
    }

    /** The job once the owner has changed its state, or as it is after {@link #OWNER_WAIT}. */
    private Uni<JobEntity> awaitOwner(String jobId, JobState was) {
        return poll(jobId, was, System.nanoTime() + OWNER_WAIT.toNanos());
    }

    private Uni<JobEntity> poll(String jobId, JobState was, long deadline) {
        return Retries.delay(Vertx.currentContext(), POLL)
                .chain(() -> Panache.withSession(() -> JobEntity.<JobEntity>findById(jobId)))
                .chain(job -> job == null || job.state != was || System.nanoTime() > deadline
                        ? Uni.createFrom().item(job)
                        : poll(jobId, was, deadline));
    }

    /** The owner's side: applies the stored cancels of the clusters this instance owns, oldest first. */
    @Scheduled(
            every = "${ebbtide.scheduler.cluster-wait-check-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> applyStored() {
        return Panache.withSession(() -> CancelRequestEntity.<CancelRequestEntity>list("order by requestedAt"))
                .map(all -> all.stream().filter(r -> ownership.owns(r.cluster)).toList())
                .chain(mine -> InOrder.each(mine, this::apply))
                .onFailure()
                .invoke(e -> LOG.warnf("applying stored cancels failed, will retry: %s", e.toString()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Applied, the request is deleted in the same transaction; refused (the job ended meanwhile), it is dropped. */
    private Uni<Void> apply(CancelRequestEntity r) {
        return cancel(r.jobId, r.reason, true, new Done[1], new JobState[1])
                .replaceWithVoid()
                .onFailure(IllegalStateException.class)
                .recoverWithUni(e -> {
                    LOG.infof("stored cancel of job %s dropped: %s", r.jobId, e.getMessage());
                    return Panache.withTransaction(() -> CancelRequestEntity.deleteById(r.jobId))
                            .replaceWithVoid();
                });
    }
}
