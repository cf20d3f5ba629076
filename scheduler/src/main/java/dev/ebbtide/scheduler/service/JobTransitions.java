package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.lifecycle.JobLifecycle;
import dev.ebbtide.core.lifecycle.JobPhase;
import dev.ebbtide.core.lifecycle.JobSnapshot;
import dev.ebbtide.core.lifecycle.Outcome;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Applies the pure {@link JobLifecycle} to a stored job: entity → snapshot, decide, snapshot → entity, and the
 * decided state changes and stops into {@link Outgoing}. Also the one place a job state change is logged and counted.
 */
@Startup
@ApplicationScoped
class JobTransitions {
    private static final Logger LOG = Logger.getLogger(JobTransitions.class);

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    SchedulerConfig config;

    @Inject
    QueueIndex index;

    private JobLifecycle lifecycle;

    /** Built at start-up, so a bad setting stops the service with its sentence instead of failing every event. */
    @PostConstruct
    void init() {
        if (config.scheduler().maxAttempts() < 1) {
            throw new IllegalArgumentException("ebbtide.scheduler.max-attempts must be at least 1, got "
                    + config.scheduler().maxAttempts());
        }
        lifecycle = new JobLifecycle(config.scheduler().maxAttempts());
    }

    JobLifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * Decides what {@code event} does to {@code job} and records it in the entity and in {@code out}.
     *
     * @param nodesHolding nodes still given to the job after the event's own node was freed
     * @return the outcome (its {@code refusal} set when the event was refused and nothing changed)
     */
    Outcome apply(JobEntity job, JobEvent event, int nodesHolding, Outgoing out) {
        Outcome outcome = lifecycle().apply(snapshot(job, nodesHolding), event, clock.instant());
        if (outcome.refusal() != null) {
            return outcome;
        }
        JobSnapshot after = outcome.job();
        job.reason = after.reason();
        job.attempt = after.attempt();
        job.nodes = after.nodes().isEmpty() ? null : String.join(",", after.nodes());
        job.exitedRanks = after.exitedRanks().isEmpty()
                ? null
                : after.exitedRanks().stream().map(String::valueOf).collect(Collectors.joining(","));
        job.exitCode = after.exitCode();
        job.outputLocation = after.outputLocation();
        job.startedAt = after.startedAt();
        job.endedAt = after.endedAt();
        for (Outcome.Transition t : outcome.transitions()) {
            transition(job, JobState.valueOf(t.to().name()), t.reason(), out);
        }
        for (Outcome.Stop s : outcome.stops()) {
            out.stops.add(
                    new JobStopRequested(job.id, job.cluster, s.nodes(), s.attempt(), s.reason(), clock.instant()));
        }
        return outcome;
    }

    static JobSnapshot snapshot(JobEntity j, int nodesHolding) {
        Set<Integer> ranks = new TreeSet<>();
        j.exitedRankList().forEach(r -> ranks.add(Integer.parseInt(r)));
        return new JobSnapshot(
                j.id,
                JobPhase.valueOf(j.state.name()),
                j.reason,
                j.instanceCount,
                j.attempt,
                j.nodeList(),
                ranks,
                j.exitCode,
                j.outputLocation,
                j.startedAt,
                j.endedAt,
                nodesHolding);
    }

    /**
     * Changes the job's state, keeps the in-memory {@link QueueIndex} in step (undone with the transaction), logs and
     * counts it, and queues the {@link JobStateChanged}.
     */
    void transition(JobEntity job, JobState to, String reason, Outgoing out) {
        JobState from = job.state;
        job.state = to;
        if (from != JobState.Queued && to == JobState.Queued) {
            index.added(job, out);
            if (from == null || from == JobState.NotStarted) { // a requeue is not an arrival
                out.arrived(job.cluster, job.id, job.instanceCount, job.submittedAt);
            }
        } else if (from == JobState.Queued && to != JobState.Queued) {
            index.removed(job, out);
        }
        job.reason = reason;
        job.updatedAt = clock.instant();
        registry.counter("ebbtide_scheduler_job_transitions_total", "cluster", job.cluster, "state", to.name())
                .increment();
        LOG.infof("job %s on %s: %s -> %s%s", job.id, job.cluster, from, to, reason == null ? "" : " (" + reason + ")");
        out.states.add(new JobStateChanged(
                job.id,
                job.cluster,
                to,
                from,
                reason,
                to.isTerminal() ? job.exitCode : null,
                to.isTerminal() ? job.outputLocation : null,
                job.updatedAt));
    }
}
