package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.lifecycle.JobLifecycle;
import dev.ebbtide.core.lifecycle.Outcome;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The scheduler's reactions to events. Each event is handled in one transaction that changes the database, runs
 * placement for the cluster through the pure {@code PlacementPlanner} ({@link Placement}), decides the job's next state
 * through the pure {@link JobLifecycle} ({@link JobTransitions}), and stores the events it decided in the
 * outbox; the outbox sends them once the transaction has committed.
 */
@ApplicationScoped
public class SchedulerService {
    private static final Logger LOG = Logger.getLogger(SchedulerService.class);
    /** Node states that take a node away from the job it was given. */
    private static final Set<NodeState> LOST = EnumSet.of(NodeState.deleted, NodeState.leaving, NodeState.unusable,
            NodeState.preempted, NodeState.lost);

    @Inject
    Outbox outbox;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry registry;
    @Inject
    JobTransitions transitions;
    @Inject
    Placement placement;
    @Inject
    Submissions submissions;
    @Inject
    QueueIndex index;
    @Inject
    JobRepository jobRepository;

    /**
     * Handles a batch of records in one transaction (under load, one commit and one outbox relay for many events).
     * If the batch fails, each record is retried on its own; a record that still fails after three tries goes to
     * the dead-letter topic with the reason, so nothing is skipped silently and the consumer goes on.
     */
    public Uni<Void> handleBatch(List<ConsumerRecord<String, String>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Outgoing out = new Outgoing();
        long start = System.nanoTime();
        return Panache.withTransaction(() -> index.ready().chain(() -> prefetch(records, out))
                .chain(() -> inOrder(records, r -> work(r.topic(), r.key(), r.value(), out)))
                .chain(() -> placement.placeTouched(out))
                .chain(() -> store(out)))
                .invoke(() -> {
                    registry.timer("ebbtide_scheduler_batch_seconds").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    registry.summary("ebbtide_scheduler_batch_records").record(records.size());
                    registry.summary("ebbtide_scheduler_batch_clusters").record(out.touched.size());
                })
                .onFailure().recoverWithUni(e -> {
                    out.undo();
                    LOG.warnf("a batch of %d record(s) failed (%s): handling them one by one", records.size(), e.toString());
                    return inOrder(records, this::handleAlone);
                })
                .invoke(outbox::relayInBackground); // the next batch need not wait for Kafka's acknowledgements
    }

    /** One query for the batch's submissions that are already stored (redeliveries), instead of one per record. */
    private Uni<Void> prefetch(List<ConsumerRecord<String, String>> records, Outgoing out) {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
            if (Topics.JOBS_SUBMITTED.equals(r.topic())) {
                String id = Submissions.jobIdOf(r.value());
                if (id != null) {
                    ids.add(id);
                }
            }
        }
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return jobRepository.storedIds(ids).invoke(stored -> out.storedJobIds = new HashSet<>(stored)).replaceWithVoid();
    }

    private Uni<Void> handleAlone(ConsumerRecord<String, String> r) {
        return Uni.createFrom().deferred(() -> { // a fresh Outgoing per try: a failed try leaves nothing behind
            Outgoing out = new Outgoing();
            return Panache.withTransaction(() -> index.ready().chain(() -> work(r.topic(), r.key(), r.value(), out))
                    .chain(() -> placement.placeTouched(out)).chain(() -> store(out)))
                    .onFailure().invoke(e -> out.undo());
        })
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(2)).atMost(2)
                .onFailure().recoverWithUni(e -> {
                    String reason = "processing failed after 3 tries: " + e;
                    LOG.errorf("dead-lettering a record from %s at offset %d: %s", r.topic(), r.offset(), reason);
                    registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic()).increment();
                    return Panache.withTransaction(() -> outbox.deadLetter(r.topic(), r.key(), r.value(), reason));
                });
    }

    private static <T> Uni<Void> inOrder(List<T> items, Function<T, Uni<Void>> step) {
        return InOrder.each(items, step);
    }

    private Uni<Void> work(String topic, String key, String value, Outgoing out) {
        return switch (topic) {
            case Topics.JOBS_SUBMITTED -> submissions.onSubmitted(key, value, out);
            case Topics.NODES_STATE -> parsed(topic, key, value, NodeStateChanged.class, out, e -> onNodeState(e, out));
            case Topics.JOBS_RUNS -> parsed(topic, key, value, JobRunReported.class, out, e -> onRunReport(e, out));
            case Topics.CLUSTERS -> parsed(topic, key, value, ClusterDefined.class, out, e -> onClusterDefined(e));
            case Topics.CLUSTERS_BACKOFF -> parsed(topic, key, value, ClusterBackoffChanged.class, out, e -> onBackoff(e, out));
            default -> Uni.createFrom().voidItem();
        };
    }

    private <T> Uni<Void> parsed(String topic, String key, String value, Class<T> type, Outgoing out,
            Function<T, Uni<Void>> handler) {
        T event;
        try {
            event = EventJson.read(value, type);
        } catch (IllegalArgumentException e) {
            LOG.warnf("dead-lettering a record from %s: %s", topic, e.getMessage());
            out.deadLetter(topic, key, value, e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return handler.apply(event);
    }

    // --- node and run reports ----------------------------------------------------------------------------------

    private Uni<Void> onNodeState(NodeStateChanged e, Outgoing out) {
        return NodeEntity.<NodeEntity>findById(e.node()).chain(found -> {
            NodeEntity node = found != null ? found : newNode(e);
            node.state = e.state();
            node.since = e.at() != null ? e.at() : now();
            if (e.address() != null) {
                node.address = e.address();
            }
            if (e.port() != null) {
                node.port = e.port();
            }
            String lostJob = node.jobId;
            boolean gone = e.state() == NodeState.deleted;
            Uni<Void> step = Uni.createFrom().voidItem();
            if (LOST.contains(e.state()) && lostJob != null) {
                step = releaseLostJob(lostJob, node, e.state(), out);
            }
            return step.chain(() -> gone ? node.delete() : node.persist().replaceWithVoid())
                    .chain(() -> placement.place(e.cluster(), out));
        });
    }

    private static NodeEntity newNode(NodeStateChanged e) {
        NodeEntity node = new NodeEntity();
        node.name = e.node();
        node.cluster = e.cluster();
        return node;
    }

    /**
     * A node a job was using went away (preempted, unusable, lost, removed): the job goes back to the queue (Azure ML
     * users' top complaint is preempted jobs that fail instead), its other nodes are asked to stop, and it starts again
     * from the beginning on new nodes, until it has had its max attempts ({@link JobLifecycle}).
     */
    private Uni<Void> releaseLostJob(String jobId, NodeEntity lost, NodeState state, Outgoing out) {
        Integer attempt = lost.attempt;
        lost.jobId = null;
        lost.attempt = null;
        return JobEntity.<JobEntity>findById(jobId).chain(job -> job == null ? Uni.createFrom().voidItem()
                : holding(job.id, lost.name).invoke(holding -> transitions.apply(job,
                        new JobEvent.NodeLost(lost.name, state.name(), attempt), holding, out)).replaceWithVoid());
    }

    private Uni<Void> onRunReport(JobRunReported r, Outgoing out) {
        return JobEntity.<JobEntity>findById(r.jobId()).chain(job -> {
            if (job == null) {
                return Uni.createFrom().voidItem();
            }
            int attempt = r.attempt() != null ? r.attempt() : job.attempt;
            return switch (r.phase()) {
                case STARTED -> {
                    transitions.apply(job, new JobEvent.RankStarted(r.rank(), attempt, r.at()), 0, out);
                    yield Uni.createFrom().voidItem();
                }
                // only the rejecting node is free: the others of the gang are told to stop and free theirs when
                // they answer with EXITED, so nothing is placed on a node still running the old attempt
                case REJECTED -> freeNode(r.node(), job.id, attempt).chain(() -> holding(job.id, null))
                        .invoke(holding -> transitions.apply(job,
                                new JobEvent.Rejected(r.node(), r.rank(), attempt, r.reason()), holding, out))
                        .chain(() -> placement.place(job.cluster, out));
                case EXITED -> freeNode(r.node(), job.id, attempt).chain(() -> holding(job.id, null))
                        .invoke(holding -> transitions.apply(job, new JobEvent.RankExited(r.node(), r.rank(), attempt,
                                r.exitCode(), r.reason(), r.outputPath(), r.at()), holding, out))
                        .chain(() -> placement.place(job.cluster, out));
            };
        });
    }

    /**
     * Cancels a job: a queued one at once; a preparing or running one is asked to stop on its nodes and becomes
     * Canceled when they have all stopped.
     *
     * @return the job after the change, or null if there is no such job
     * @throws IllegalStateException if the job has already ended
     */
    public Uni<JobEntity> cancel(String jobId, String reason) {
        Outgoing out = new Outgoing();
        return Panache.withTransaction(() -> index.ready().chain(() -> JobEntity.<JobEntity>findById(jobId)).chain(job -> {
            if (job == null) {
                return Uni.createFrom().<JobEntity>nullItem();
            }
            Outcome outcome = transitions.apply(job, new JobEvent.CancelAsked(reason), 0, out);
            if (outcome.refusal() != null) {
                throw new IllegalStateException(outcome.refusal());
            }
            Uni<Void> step = job.state == JobState.Canceled ? placement.place(job.cluster, out) : Uni.createFrom().voidItem();
            return step.chain(() -> placement.placeTouched(out)).chain(() -> store(out)).replaceWith(job);
        })).onFailure().invoke(e -> out.undo()).call(outbox::relay);
    }

    /** Nodes the scheduler still counts as given to the job, leaving out {@code except}. */
    private static Uni<Integer> holding(String jobId, String except) {
        return (except == null ? NodeEntity.count("jobId", jobId) : NodeEntity.count("jobId = ?1 and name <> ?2", jobId, except))
                .map(Long::intValue);
    }

    private static Uni<Void> freeNode(String name, String jobId, int attempt) {
        return NodeEntity.<NodeEntity>findById(name).invoke(node -> {
            if (node != null && jobId.equals(node.jobId) && (node.attempt == null || node.attempt == attempt)) {
                node.jobId = null;
                node.attempt = null;
            }
        }).replaceWithVoid();
    }

    private Uni<Void> onClusterDefined(ClusterDefined e) {
        return ClusterEntity.<ClusterEntity>findById(e.spec().name()).chain(found -> {
            ClusterEntity cluster = found != null ? found : new ClusterEntity();
            cluster.name = e.spec().name();
            cluster.maxInstances = e.spec().maxInstances();
            return cluster.persist().replaceWithVoid();
        });
    }

    /**
     * The cloud refused nodes (quota, capacity, throttling): every job waiting on the cluster says so, instead of
     * sitting silently in the queue. When the backoff ends they go back to "waiting for N node(s)".
     */
    private Uni<Void> onBackoff(ClusterBackoffChanged e, Outgoing out) {
        return JobEntity.queued(e.cluster()).chain(queued -> {
            for (JobEntity job : queued) {
                String reason = e.until() == null ? "waiting for " + job.instanceCount + " node(s)"
                        : waitingReason(e.errorClass()) + " (" + e.reason() + "; retry after " + e.until() + ")";
                if (!reason.equals(job.reason)) {
                    transitions.transition(job, JobState.Queued, reason, out);
                }
            }
            return Uni.createFrom().voidItem();
        });
    }

    private static String waitingReason(String errorClass) {
        return switch (errorClass == null ? "" : errorClass) {
            case "QUOTA_EXCEEDED" -> "waiting for quota";
            case "CAPACITY_UNAVAILABLE" -> "waiting for capacity: unavailable in the region";
            case "THROTTLED" -> "waiting: the cloud is throttling requests";
            default -> "waiting: the cloud refused nodes (" + errorClass + ")";
        };
    }

    /** Stores the decided events in the outbox, in the transaction that made the change. */
    private Uni<Void> store(Outgoing out) {
        return out.storeIn(outbox);
    }

    private Instant now() {
        return clock.instant();
    }
}
