package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.lifecycle.Outcome;
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
 * Cancels asked of an instance that does not own the job's cluster. Only the owner changes a cluster's queue (its
 * in-memory index and placement must stay in step with it), so the asked instance checks the cancel is possible
 * (the pure lifecycle, refusing a job that has ended), stores a request ({@code cancel_request}) and waits up to
 * {@link #OWNER_WAIT} for the owner to apply it; the owner looks for requests of its clusters every
 * {@code ebbtide.scheduler.cluster-wait-check-interval}. A request outlives a takeover: the next owner applies it.
 */
@ApplicationScoped
public class CancelRequests {
    private static final Logger LOG = Logger.getLogger(CancelRequests.class);
    /** How long a REST cancel on a non-owner waits for the owner before answering with the job as it is. */
    static final Duration OWNER_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);

    @Inject
    JobTransitions transitions;
    @Inject
    ClusterOwnership ownership;
    @Inject
    SchedulerService service;
    @Inject
    Clock clock;

    /**
     * Stores a request to cancel {@code job} (call inside a transaction).
     *
     * @throws IllegalStateException if the job cannot be canceled (it has ended)
     */
    Uni<JobEntity> store(JobEntity job, String reason) {
        Outcome check = transitions.lifecycle().apply(JobTransitions.snapshot(job, 0), new JobEvent.CancelAsked(reason),
                clock.instant());
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
    Uni<JobEntity> awaitOwner(String jobId, JobState was) {
        return poll(jobId, was, System.nanoTime() + OWNER_WAIT.toNanos());
    }

    private Uni<JobEntity> poll(String jobId, JobState was, long deadline) {
        return Retries.delay(Vertx.currentContext(), POLL)
                .chain(() -> Panache.withSession(() -> JobEntity.<JobEntity>findById(jobId)))
                .chain(job -> job == null || job.state != was || System.nanoTime() > deadline ? Uni.createFrom().item(job)
                        : poll(jobId, was, deadline));
    }

    /** The owner's side: applies the stored requests of the clusters this instance owns, oldest first. */
    @Scheduled(every = "${ebbtide.scheduler.cluster-wait-check-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> applyStored() {
        return Panache.withSession(() -> CancelRequestEntity.<CancelRequestEntity>list("order by requestedAt"))
                .map(all -> all.stream().filter(r -> ownership.owns(r.cluster)).toList())
                .chain(mine -> InOrder.each(mine, this::apply))
                .onFailure().invoke(e -> LOG.warnf("applying stored cancel requests failed, will retry: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Applied, the request is deleted in the same transaction; refused (the job ended meanwhile), it is dropped. */
    private Uni<Void> apply(CancelRequestEntity r) {
        return service.cancelAsOwner(r.jobId, r.reason).replaceWithVoid()
                .onFailure(IllegalStateException.class).recoverWithUni(e -> {
                    LOG.infof("stored cancel of job %s dropped: %s", r.jobId, e.getMessage());
                    return Panache.withTransaction(() -> CancelRequestEntity.deleteById(r.jobId)).replaceWithVoid();
                });
    }
}
